import { commandArguments } from '../jobs/command-args.js';
import { builder } from './builder.js';
import { JobRef } from './job.js';
import { deliveryFields, startJob } from './submission.js';

const PicsiInput = builder.inputType('PicsiInput', {
  description: 'The images and options of a face swap, and where it runs and how it answers.',
  fields: (t) => ({
    sourceImage: t.field({ type: 'Upload', required: true, description: 'The face to use (PNG, JPEG, GIF or WebP).' }),
    targetImage: t.field({
      type: 'Upload',
      required: true,
      description: 'The image whose face is replaced; an animated GIF yields an animated GIF (video is not supported).',
    }),
    options: t.string({ required: false, description: 'Bot options, e.g. "-m --shut -o 500" (see the option table in docs/api.md).' }),
    ...deliveryFields(t, 'A configured channel id; omitted: any eligible channel.'),
  }),
});

builder.mutationField('picsi', (t) =>
  t.field({
    type: JobRef,
    description: 'Face-swaps sourceImage onto targetImage through the InsightFaceSwap /picsi command.',
    args: { input: t.arg({ type: PicsiInput, required: true, description: 'The swap.' }) },
    resolve: async (_root, { input }, ctx) => {
      const { options } = commandArguments('picsi', { options: input.options });
      return startJob(
        ctx,
        input,
        {
          source: { upload: input.sourceImage, field: 'source_image' },
          target: { upload: input.targetImage, field: 'target_image_gif_or_video' },
        },
        { command: 'picsi', options },
      );
    },
  }),
);
