/**
 * Accounts (admin only): their manager (DISCORD_ACCOUNTS or the API), health, pacing, proxy (masked)
 * and credits; upsert, delete, pause and resume; accountUpdated streams their changes
 * (./subscriptions.ts). Tokens and proxy passwords are write-only. A queued job's estimated start,
 * which follows from the accounts' pacing, is a field of Job defined here.
 */
import { AppError, echoInput } from '../errors.js';
import { ACCOUNT_STATES } from '../jobs/account.js';
import { checkAccountInput } from '../jobs/account-input.js';
import type { AccountHealthView, AccountPacingView, AccountView, Credits } from '../jobs/service.js';
import { builder } from './builder.js';
import { JobRef } from './job.js';

const CreditsRef = builder.objectRef<Credits>('Credits').implement({
  description: 'Credits of the account for the current UTC day (free accounts: about 50 a day; a /picsi costs 3).',
  fields: (t) => ({
    timestamp: t.field({ type: 'DateTime', resolve: (c) => c.timestamp }),
    total: t.exposeInt('total'),
    used: t.exposeInt('used'),
  }),
});

const PlanEnum = builder.enumType('BotPlan', {
  description: "The account's InsightFaceSwap plan: it sets the GIF target limits and price (src/jobs/command-costs.ts).",
  values: { BASIC: { value: 'basic' }, PRO: { value: 'pro' } } as const,
});

const ManagerEnum = builder.enumType('AccountManager', {
  description:
    'Who manages the account. CONFIG: listed in DISCORD_ACCOUNTS, reconciled at every start (removed once no longer listed). API: created with upsertAccount, kept until deleteAccount.',
  values: ['CONFIG', 'API'] as const,
});

export const AccountStateEnum = builder.enumType('AccountState', {
  description:
    'ACTIVE takes jobs (within its pacing); COOLING_DOWN and OUT_OF_CREDITS wait until `until`; NEEDS_PERSON waits for a person to fix the reason and resumeAccount; PAUSED was taken out of rotation by pauseAccount.',
  values: ACCOUNT_STATES,
});

const HealthRef = builder.objectRef<AccountHealthView>('AccountHealth').implement({
  description: "The account's state, why, with what evidence, since and until when (docs/discord-protocol.md, Account health).",
  fields: (t) => ({
    state: t.field({ type: AccountStateEnum, resolve: (h) => h.state }),
    reason: t.exposeString('reason', { nullable: true, description: 'The signal (CAPTCHA, TOKEN_REJECTED, RATE_LIMITED…) or OPERATOR.' }),
    message: t.exposeString('message', { nullable: true, description: 'What happened and what to do.' }),
    evidence: t.string({
      nullable: true,
      description: 'What Discord answered (status, code, body) or the bot wrote, as JSON text; never a token or a proxy password.',
      resolve: (h) => (h.evidence === null ? null : JSON.stringify(h.evidence)),
    }),
    since: t.field({ type: 'DateTime', resolve: (h) => h.since }),
    until: t.field({ type: 'DateTime', nullable: true, resolve: (h) => h.until }),
  }),
});

const PacingRef = builder.objectRef<AccountPacingView>('AccountPacing').implement({
  description: "The account's pacing: its own settings over the ACCOUNT_* defaults.",
  fields: (t) => ({
    minGapMs: t.exposeInt('minGapMs'),
    jitterMs: t.exposeInt('jitterMs'),
    dailyCommands: t.exposeInt('dailyCommands', { nullable: true }),
    activeHours: t.exposeString('activeHours', { nullable: true }),
    timezone: t.exposeString('timezone'),
    nextCommandAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the gap after its last command ends (null once it has).',
      resolve: (p) => p.nextCommandAt,
    }),
  }),
});

export const AccountRef = builder.objectRef<AccountView>('Account').implement({
  description:
    'A Discord user account bound to one channel. The token and the proxy password are write-only: only masked forms are readable.',
  fields: (t) => ({
    channel: t.exposeString('channel'),
    server: t.exposeString('server'),
    label: t.exposeString('label', { nullable: true }),
    discord: t.exposeString('discord', { description: 'The token, masked (first 3 + … + last 3).' }),
    managed: t.field({ type: ManagerEnum, resolve: (a) => a.managed }),
    health: t.field({ type: HealthRef, resolve: (a) => a.health }),
    enabled: t.exposeBoolean('enabled', { description: 'False while the account needs a person or is paused; it is then skipped.' }),
    disabledReason: t.exposeString('disabledReason', { nullable: true }),
    plan: t.field({ type: PlanEnum, resolve: (a) => a.plan }),
    proxy: t.exposeString('proxy', {
      nullable: true,
      description: 'The proxy every connection of the account goes through, password masked.',
    }),
    pacing: t.field({ type: PacingRef, resolve: (a) => a.pacing }),
    foreignCommand: t.exposeBoolean('foreignCommand', {
      description:
        'A command this server did not send runs in the channel (a person using the account): no job starts there until the bot answered it.',
    }),
    busy: t.exposeBoolean('busy', { description: 'A job holds the channel right now.' }),
    credits: t.field({ type: CreditsRef, resolve: (a) => a.credits }),
  }),
});

const AccountInput = builder.inputType('AccountInput', {
  fields: (t) => ({
    channel: t.string({ required: true, description: 'Channel id (snowflake).' }),
    server: t.string({ required: true, description: 'Guild id (snowflake).' }),
    discord: t.string({ required: true, description: 'The user token. Stored, never returned.' }),
    label: t.string({ required: false }),
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

builder.queryField('accounts', (t) =>
  t.field({
    type: [AccountRef],
    authScopes: { admin: true },
    description: 'Admin only.',
    resolve: (_r, _a, ctx) => ctx.jobs.accounts.list(),
  }),
);

builder.queryField('account', (t) =>
  t.field({
    type: AccountRef,
    authScopes: { admin: true },
    description: 'Admin only. With its credits.',
    args: { channel: t.arg.string({ required: true }) },
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
    args: { input: t.arg({ type: AccountInput, required: true }) },
    resolve: (_r, { input }, ctx) => ctx.jobs.accounts.upsert(checkAccountInput(input)),
  }),
);

builder.mutationField('deleteAccount', (t) =>
  t.field({
    type: 'Boolean',
    authScopes: { admin: true },
    description: 'Admin only. True when an account was deleted.',
    args: { channel: t.arg.string({ required: true }) },
    resolve: (_r, { channel }, ctx) => ctx.jobs.accounts.delete(channel),
  }),
);

builder.mutationField('pauseAccount', (t) =>
  t.field({
    type: AccountRef,
    authScopes: { admin: true },
    description: 'Admin only. Takes the account out of rotation (PAUSED) until resumeAccount; its running job finishes.',
    args: { channel: t.arg.string({ required: true }), note: t.arg.string({ required: false, description: 'Shown as the reason.' }) },
    resolve: (_r, { channel, note }, ctx) => ctx.jobs.accounts.pause(channel, note ?? null),
  }),
);

builder.mutationField('resumeAccount', (t) =>
  t.field({
    type: AccountRef,
    authScopes: { admin: true },
    description:
      "Admin only. Runs the doctor's checks of the account (token, guild, channel, commands, gateway, upload slot, through its proxy), then puts it back in rotation (ACTIVE); refused with ACCOUNT_UNAVAILABLE and the failing check's text.",
    args: { channel: t.arg.string({ required: true }) },
    resolve: (_r, { channel }, ctx) => ctx.jobs.accounts.resume(channel),
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
