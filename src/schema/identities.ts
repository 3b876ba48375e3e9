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
import { JobRef, WaitModeEnum } from './job.js';
import { deliveryFields, MAX_REPLY_FIELD_LENGTH, startJob, type DeliveryInput } from './submission.js';

const CHANNEL =
  'The channel whose account holds the identities. Required when more than one account is configured (CHANNEL_REQUIRED): saved identities live in one Discord account.';
const IDNAME = 'Letters and digits, at most 10 characters.';

const SaveIdInput = builder.inputType('SaveIdInput', {
  fields: (t) => ({
    idname: t.string({ required: true, description: `The name to save the face under (${IDNAME}); saving a name again replaces it.` }),
    image: t.field({ type: 'Upload', required: true, description: 'An image with the face to save (PNG, JPEG, GIF or WebP).' }),
    ...deliveryFields(t, CHANNEL),
  }),
});

const SwapIdInput = builder.inputType('SwapIdInput', {
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
    args: { input: t.arg({ type: SaveIdInput, required: true }) },
    resolve: (_root, { input }, ctx) => run(ctx, input, 'saveid', input.idname, input.image),
  }),
);

builder.mutationField('swapId', (t) =>
  t.field({
    type: JobRef,
    description: 'Swaps saved identities onto `targetImage` (/swapid); the result image is in `attachments`.',
    args: { input: t.arg({ type: SwapIdInput, required: true }) },
    resolve: (_root, { input }, ctx) => run(ctx, input, 'swapid', input.idname, input.targetImage),
  }),
);

builder.mutationField('setId', (t) =>
  t.field({
    type: JobRef,
    description: 'Sets the default identities later swaps use (/setid).',
    args: { input: t.arg({ type: SetIdInput, required: true }) },
    resolve: (_root, { input }, ctx) => run(ctx, input, 'setid', input.idname),
  }),
);

builder.mutationField('deleteId', (t) =>
  t.field({
    type: JobRef,
    description: 'Deletes one saved identity (/delid).',
    args: { input: t.arg({ type: DeleteIdInput, required: true }) },
    resolve: (_root, { input }, ctx) => run(ctx, input, 'delid', input.idname),
  }),
);

/** The arguments of the commands that take nothing but where to run and how to answer. */
const accountCommandArgs = (t: Parameters<Parameters<typeof builder.mutationField>[1]>[0]) => ({
  channel: t.arg.string({ required: false, description: CHANNEL }),
  replyUrl: t.arg.string({
    required: false,
    description: `http(s) URL that receives the job once terminal (≤ ${MAX_REPLY_FIELD_LENGTH} characters).`,
  }),
  replyRef: t.arg.string({
    required: false,
    description: `Your reference, returned with the job (≤ ${MAX_REPLY_FIELD_LENGTH} characters).`,
  }),
  mode: t.arg({ type: WaitModeEnum, required: false, defaultValue: 'QUEUE' }),
  wait: t.arg.boolean({
    required: false,
    defaultValue: false,
    description: 'Block until the job is terminal (bounded by WAIT_TIMEOUT_MS).',
  }),
});

/** The commands that act on the account's saved identities as a whole, so take no input of their own. */
const ACCOUNT_COMMANDS: { field: string; command: BotCommand; description: string }[] = [
  {
    field: 'listIds',
    command: 'listid',
    description: "Lists the account's saved identities (/listid): the job's `identities` once COMPLETED, and the bot's text in `content`.",
  },
  { field: 'deleteAllIds', command: 'delall', description: 'Deletes every saved identity of the account (/delall).' },
];

for (const { field, command, description } of ACCOUNT_COMMANDS)
  builder.mutationField(field, (t) =>
    t.field({ type: JobRef, description, args: accountCommandArgs(t), resolve: (_root, args, ctx) => run(ctx, args, command, null) }),
  );
