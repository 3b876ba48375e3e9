/**
 * Accounts (admin only): read, upsert, delete, pause and resume (the types in ./account-types.ts);
 * accountUpdated streams their changes (./subscriptions.ts). Tokens and proxy passwords are
 * write-only. A queued job's estimated start, which follows from the accounts' pacing, is a field
 * of Job defined here.
 */
import { AppError, echoInput } from '../errors.js';
import { checkAccountInput } from '../jobs/account-input.js';
import { AccountRef, PlanEnum } from './account-types.js';
import { builder } from './builder.js';
import { inputDescription, inputOrArguments, USE_INPUT } from './input-style.js';
import { JobRef } from './job.js';

const CHANNEL = 'The channel id (snowflake) of the account.';

const AccountInput = builder.inputType('AccountInput', {
  description: 'An account for upsertAccount: the whole record (a field left out takes its default).',
  fields: (t) => ({
    channel: t.string({ required: true, description: 'Channel id (snowflake).' }),
    server: t.string({ required: true, description: 'Guild id (snowflake).' }),
    discord: t.string({ required: true, description: 'The user token. Stored, never returned.' }),
    label: t.string({ required: false, description: 'A label for logs and the accounts query.' }),
    plan: t.field({ type: PlanEnum, required: false, description: 'Unset: BASIC (what a new account has).' }),
    proxy: t.string({
      required: false,
      description: 'http://, https:// or socks5:// with host and port, credentials in the URL. Its password is never returned.',
    }),
    minGapMs: t.int({ required: false, description: 'Least time between the end of a command and the next; unset: ACCOUNT_MIN_GAP_MS.' }),
    jitterMs: t.int({ required: false, description: 'A random extra gap, 0 to this; unset: ACCOUNT_JITTER_MS.' }),
    dailyCommands: t.int({ required: false, description: 'Most commands a day; unset: ACCOUNT_DAILY_COMMANDS.' }),
    activeHours: t.string({ required: false, description: 'HH:MM-HH:MM the account takes jobs in; unset: ACCOUNT_ACTIVE_HOURS.' }),
    timezone: t.string({ required: false, description: 'IANA time zone of activeHours and the daily cap; unset: ACCOUNT_TIMEZONE.' }),
  }),
});

const DeleteAccountInput = builder.inputType('DeleteAccountInput', {
  description: 'Which account deleteAccount deletes.',
  fields: (t) => ({ channel: t.string({ required: true, description: CHANNEL }) }),
});

const PauseAccountInput = builder.inputType('PauseAccountInput', {
  description: 'Which account pauseAccount pauses, and why.',
  fields: (t) => ({
    channel: t.string({ required: true, description: CHANNEL }),
    note: t.string({ required: false, description: 'Shown as the reason.' }),
  }),
});

const ResumeAccountInput = builder.inputType('ResumeAccountInput', {
  description: 'Which account resumeAccount checks and resumes.',
  fields: (t) => ({ channel: t.string({ required: true, description: CHANNEL }) }),
});

builder.queryField('accounts', (t) =>
  t.field({
    type: [AccountRef],
    authScopes: { admin: true },
    description: 'Admin only. Every account, with its health, pacing and credits.',
    resolve: (_r, _a, ctx) => ctx.jobs.accounts.list(),
  }),
);

builder.queryField('account', (t) =>
  t.field({
    type: AccountRef,
    authScopes: { admin: true },
    description: 'Admin only. One account by channel, with its credits; NOT_FOUND when none.',
    args: { channel: t.arg.string({ required: true, description: CHANNEL }) },
    resolve: async (_r, { channel }, ctx) => {
      const account = await ctx.jobs.accounts.get(channel);
      if (!account)
        throw new AppError('NOT_FOUND', `Configuration not found for channel ${echoInput(channel)}`, { channel: echoInput(channel) });
      return account;
    },
  }),
);

builder.mutationField('upsertAccount', (t) =>
  t.field({
    type: AccountRef,
    authScopes: { admin: true },
    description:
      'Admin only. Creates or replaces the account of a channel as API-managed (it starts ACTIVE); shared by every instance at once.',
    args: { input: t.arg({ type: AccountInput, required: true, description: 'The account.' }) },
    resolve: (_r, { input }, ctx) => ctx.jobs.accounts.upsert(checkAccountInput(input)),
  }),
);

const deprecatedChannel = (t: Parameters<Parameters<typeof builder.mutationField>[1]>[0]) =>
  t.arg.string({ required: false, description: 'The channel (now input.channel).', deprecationReason: USE_INPUT });

builder.mutationField('deleteAccount', (t) =>
  t.field({
    type: 'Boolean',
    authScopes: { admin: true },
    description: 'Admin only. True when an account was deleted.',
    args: {
      input: t.arg({ type: DeleteAccountInput, required: false, description: inputDescription('The account to delete.', true) }),
      channel: deprecatedChannel(t),
    },
    resolve: (_r, args, ctx) => {
      const { channel } = inputOrArguments('deleteAccount', args.input, { channel: args.channel }, ['channel']);
      return ctx.jobs.accounts.delete(channel);
    },
  }),
);

builder.mutationField('pauseAccount', (t) =>
  t.field({
    type: AccountRef,
    authScopes: { admin: true },
    description: 'Admin only. Takes the account out of rotation (PAUSED) until resumeAccount; its running job finishes.',
    args: {
      input: t.arg({ type: PauseAccountInput, required: false, description: inputDescription('The account to pause.', true) }),
      channel: deprecatedChannel(t),
      note: t.arg.string({ required: false, description: 'Shown as the reason (now input.note).', deprecationReason: USE_INPUT }),
    },
    resolve: (_r, args, ctx) => {
      const { channel, note } = inputOrArguments('pauseAccount', args.input, { channel: args.channel, note: args.note }, ['channel']);
      return ctx.jobs.accounts.pause(channel, note ?? null);
    },
  }),
);

builder.mutationField('resumeAccount', (t) =>
  t.field({
    type: AccountRef,
    authScopes: { admin: true },
    description:
      "Admin only. Runs the doctor's checks of the account (token, guild, channel, commands, gateway, upload slot, through its proxy), then puts it back in rotation (ACTIVE); refused with ACCOUNT_UNAVAILABLE and the failing check's text.",
    args: {
      input: t.arg({ type: ResumeAccountInput, required: false, description: inputDescription('The account to resume.', true) }),
      channel: deprecatedChannel(t),
    },
    resolve: (_r, args, ctx) => {
      const { channel } = inputOrArguments('resumeAccount', args.input, { channel: args.channel }, ['channel']);
      return ctx.jobs.accounts.resume(channel);
    },
  }),
);

builder.objectField(JobRef, 'estimatedStartAt', (t) =>
  t.field({
    type: 'DateTime',
    nullable: true,
    description:
      'While QUEUED: an estimate of when the job starts, from its queue position, the channels it may run on, their pacing and a typical run. queuePosition stays the exact order.',
    resolve: (job, _a, ctx) => ctx.jobs.estimatedStart(job),
  }),
);
