/**
 * The identity commands as mutations, each a job on the same executor as picsi: saveId (/saveid),
 * swapId (/swapid), setId (/setid), listIds (/listid), deleteId (/delid), deleteAllIds (/delall).
 * Names are checked before a job is accepted (src/jobs/identity-names.ts); whether a name is saved,
 * and the 20-per-account limit, only the bot knows: its refusal fails the job with its own code.
 */
import type { BotCommand } from '../jobs/commands.js';
import { commandArguments } from '../jobs/command-args.js';
import { builder } from './builder.js';
import type { GraphQLContext } from './context.js';
import { WaitModeEnum } from './job-enums.js';
import { JobRef } from './job.js';
import { inputOrArguments, USE_INPUT } from './input-style.js';
import { deliveryFields, MAX_REPLY_FIELD_LENGTH, startJob, type DeliveryInput } from './submission.js';

const CHANNEL =
  'The channel whose account holds the identities. Required when more than one account is configured (CHANNEL_REQUIRED): saved identities live in one Discord account.';
const IDNAME = 'Letters and digits, at most 10 characters.';

const SaveIdInput = builder.inputType('SaveIdInput', {
  description: 'The face to save and its name, and where it runs and how it answers.',
  fields: (t) => ({
    idname: t.string({ required: true, description: `The name to save the face under (${IDNAME}); saving a name again replaces it.` }),
    image: t.field({ type: 'Upload', required: true, description: 'An image with the face to save (PNG, JPEG, GIF or WebP).' }),
    ...deliveryFields(t, CHANNEL),
  }),
});

const SwapIdInput = builder.inputType('SwapIdInput', {
  description: 'The saved names and the target, and where it runs and how it answers.',
  fields: (t) => ({
    idname: t.string({ required: true, description: `Saved names, comma separated, one per face in order (each: ${IDNAME}).` }),
    targetImage: t.field({
      type: 'Upload',
      required: true,
      description: 'The image (or animated GIF) whose faces are replaced; an animated GIF yields an animated GIF.',
    }),
    ...deliveryFields(t, CHANNEL),
  }),
});

const SetIdInput = builder.inputType('SetIdInput', {
  description: 'The default identities, and where it runs and how it answers.',
  fields: (t) => ({
    idname: t.string({
      required: true,
      description:
        'The default identities, face by face: saved names separated by commas, `_` to skip a face, `a+b` to mix, then `--greedy` or `--nogreedy`.',
    }),
    ...deliveryFields(t, CHANNEL),
  }),
});

const DeleteIdInput = builder.inputType('DeleteIdInput', {
  description: 'The name to delete, and where it runs and how it answers.',
  fields: (t) => ({
    idname: t.string({ required: true, description: 'The saved name to delete.' }),
    ...deliveryFields(t, CHANNEL),
  }),
});

const run = (ctx: GraphQLContext, input: DeliveryInput, command: BotCommand, idname: string | null, image?: unknown) => {
  const args = commandArguments(command, { idname });
  return startJob(
    ctx,
    input,
    image === undefined ? {} : { [command === 'saveid' ? 'source' : 'target']: { upload: image, field: 'image' } },
    {
      command,
      ...args,
    },
  );
};

builder.mutationField('saveId', (t) =>
  t.field({
    type: JobRef,
    description: 'Saves the face of `image` under `idname` on the channel’s account (/saveid); it becomes the default identity.',
    args: { input: t.arg({ type: SaveIdInput, required: true, description: 'The face and its name.' }) },
    resolve: (_root, { input }, ctx) => run(ctx, input, 'saveid', input.idname, input.image),
  }),
);

builder.mutationField('swapId', (t) =>
  t.field({
    type: JobRef,
    description: 'Swaps saved identities onto `targetImage` (/swapid); the result image is in `attachments`.',
    args: { input: t.arg({ type: SwapIdInput, required: true, description: 'The names and the target.' }) },
    resolve: (_root, { input }, ctx) => run(ctx, input, 'swapid', input.idname, input.targetImage),
  }),
);

builder.mutationField('setId', (t) =>
  t.field({
    type: JobRef,
    description: 'Sets the default identities later swaps use (/setid).',
    args: { input: t.arg({ type: SetIdInput, required: true, description: 'The default identities.' }) },
    resolve: (_root, { input }, ctx) => run(ctx, input, 'setid', input.idname),
  }),
);

builder.mutationField('deleteId', (t) =>
  t.field({
    type: JobRef,
    description: 'Deletes one saved identity (/delid).',
    args: { input: t.arg({ type: DeleteIdInput, required: true, description: 'The name to delete.' }) },
    resolve: (_root, { input }, ctx) => run(ctx, input, 'delid', input.idname),
  }),
);

/** The deprecated loose arguments of listIds and deleteAllIds: their input's fields, without defaults. */
const looseDeliveryArgs = (t: Parameters<Parameters<typeof builder.mutationField>[1]>[0]) => ({
  channel: t.arg.string({ required: false, description: `${CHANNEL} Now input.channel.`, deprecationReason: USE_INPUT }),
  replyUrl: t.arg.string({
    required: false,
    description: `http(s) URL that receives the job once terminal (≤ ${MAX_REPLY_FIELD_LENGTH} characters; now input.replyUrl).`,
    deprecationReason: USE_INPUT,
  }),
  replyRef: t.arg.string({
    required: false,
    description: `Your reference, returned with the job (≤ ${MAX_REPLY_FIELD_LENGTH} characters; now input.replyRef).`,
    deprecationReason: USE_INPUT,
  }),
  mode: t.arg({ type: WaitModeEnum, required: false, description: 'Unset: QUEUE (now input.mode).', deprecationReason: USE_INPUT }),
  wait: t.arg.boolean({
    required: false,
    description: 'Block until the job is terminal, bounded by WAIT_TIMEOUT_MS; unset: false (now input.wait).',
    deprecationReason: USE_INPUT,
  }),
});

/** The commands that act on the account's saved identities as a whole: their input is where to run and how to answer. */
const ACCOUNT_COMMANDS: { field: string; input: string; command: BotCommand; description: string }[] = [
  {
    field: 'listIds',
    input: 'ListIdsInput',
    command: 'listid',
    description: "Lists the account's saved identities (/listid): the job's `identities` once COMPLETED, and the bot's text in `content`.",
  },
  {
    field: 'deleteAllIds',
    input: 'DeleteAllIdsInput',
    command: 'delall',
    description: 'Deletes every saved identity of the account (/delall).',
  },
];

for (const { field, input: inputName, command, description } of ACCOUNT_COMMANDS) {
  const Input = builder.inputType(inputName, {
    description: `Where ${field} runs and how it answers.`,
    fields: (t) => deliveryFields(t, CHANNEL),
  });
  builder.mutationField(field, (t) =>
    t.field({
      type: JobRef,
      description,
      args: {
        input: t.arg({ type: Input, required: false, description: 'Where to run and how to answer; unset: the defaults.' }),
        ...looseDeliveryArgs(t),
      },
      resolve: (_root, { input, ...loose }, ctx) => run(ctx, inputOrArguments(field, input, loose), command, null),
    }),
  );
}
