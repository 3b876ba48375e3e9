/**
 * The Account type (admin only) and its parts: manager, health, pacing, plan, credits. Account is
 * a Node (./global-ids.ts): node(id:) shows it to admin tokens only, as `accounts` does.
 */
import { ACCOUNT_STATES, type AccountHealthState } from '../jobs/account.js';
import type { AccountHealthView, AccountPacingView, AccountView, Credits } from '../jobs/job-service.js';
import { builder } from './builder.js';
import type { GraphQLContext } from './context.js';

const CreditsRef = builder.objectRef<Credits>('Credits').implement({
  description: 'Credits of the account for the current UTC day (free accounts: about 50 a day; a /picsi costs 3).',
  fields: (t) => ({
    timestamp: t.field({ type: 'DateTime', description: 'When these numbers were read.', resolve: (c) => c.timestamp }),
    total: t.exposeInt('total', { description: 'Credits per UTC day (CREDITS_PER_DAY).' }),
    used: t.exposeInt('used', { description: 'Credits spent today (UTC).' }),
  }),
});

export const PlanEnum = builder.enumType('BotPlan', {
  description: "The account's InsightFaceSwap plan: it sets the GIF target limits and price (src/jobs/command-costs.ts).",
  values: {
    BASIC: { value: 'basic', description: 'What a new account has: GIF targets up to 20 frames, at the Basic GIF price.' },
    PRO: { value: 'pro', description: 'GIF targets up to 75 frames, at the Pro GIF price.' },
  } as const,
});

const ManagerEnum = builder.enumType('AccountManager', {
  description: 'Who manages the account.',
  values: {
    CONFIG: { value: 'CONFIG', description: 'Listed in DISCORD_ACCOUNTS: reconciled at every start, removed once no longer listed.' },
    API: { value: 'API', description: 'Created with upsertAccount: kept until deleteAccount.' },
  } as const,
});

const STATE_DESCRIPTIONS: Record<AccountHealthState, string> = {
  ACTIVE: 'Takes jobs, within its pacing.',
  COOLING_DOWN: 'Rate limited, or Discord or its gateway unreachable: takes no job until `until`.',
  OUT_OF_CREDITS: 'The bot says its credits or daily limit are used up: takes no job until `until` (00:00 UTC).',
  NEEDS_PERSON:
    'A captcha, a verification, a rejected token, lost access, a warning from the bot or an unreachable proxy: waits for a person to fix it, then resumeAccount.',
  PAUSED: 'Taken out of rotation by pauseAccount, until resumeAccount.',
};

export const AccountStateEnum = builder.enumType('AccountState', {
  description: 'The health state of an account: whether it takes jobs, and what ends the state (docs/accounts.md, Accounts in the field).',
  values: Object.fromEntries(ACCOUNT_STATES.map((s) => [s, { value: s, description: STATE_DESCRIPTIONS[s] }])) as Record<
    AccountHealthState,
    { value: AccountHealthState; description: string }
  >,
});

const HealthRef = builder.objectRef<AccountHealthView>('AccountHealth').implement({
  description: "The account's state, why, with what evidence, since and until when (docs/discord-protocol.md, Account health).",
  fields: (t) => ({
    state: t.field({ type: AccountStateEnum, description: 'The state.', resolve: (h) => h.state }),
    reason: t.exposeString('reason', { nullable: true, description: 'The signal (CAPTCHA, TOKEN_REJECTED, RATE_LIMITED…) or OPERATOR.' }),
    message: t.exposeString('message', { nullable: true, description: 'What happened and what to do.' }),
    evidence: t.string({
      nullable: true,
      description: 'What Discord answered (status, code, body) or the bot wrote, as JSON text; never a token or a proxy password.',
      resolve: (h) => (h.evidence === null ? null : JSON.stringify(h.evidence)),
    }),
    since: t.field({ type: 'DateTime', description: 'When the account entered the state.', resolve: (h) => h.since }),
    until: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When a timed state (COOLING_DOWN, OUT_OF_CREDITS) ends by itself; null for the others.',
      resolve: (h) => h.until,
    }),
  }),
});

const PacingRef = builder.objectRef<AccountPacingView>('AccountPacing').implement({
  description: "The account's pacing: its own settings over the ACCOUNT_* defaults.",
  fields: (t) => ({
    minGapMs: t.exposeInt('minGapMs', { description: "Least time between the bot's answer to a command and the next command." }),
    jitterMs: t.exposeInt('jitterMs', { description: 'A random extra gap, 0 to this, drawn per command.' }),
    dailyCommands: t.exposeInt('dailyCommands', { nullable: true, description: 'Most commands a day (of timezone); null: no cap.' }),
    activeHours: t.exposeString('activeHours', { nullable: true, description: 'HH:MM-HH:MM the account takes jobs in; null: always.' }),
    timezone: t.exposeString('timezone', { description: 'IANA time zone of activeHours and of the daily cap’s day.' }),
    nextCommandAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the gap after its last command ends (null once it has).',
      resolve: (p) => p.nextCommandAt,
    }),
  }),
});

/** Accounts are for admin tokens: through node(id:) too, anyone else finds none. */
const loadAccount = (channel: string, ctx: GraphQLContext) => (ctx.viewer.role === 'admin' ? ctx.jobs.accounts.get(channel) : null);

export const AccountRef = builder.node(builder.objectRef<AccountView>('Account'), {
  description:
    'A Discord user account bound to one channel. The token and the proxy password are write-only: only masked forms are readable.',
  id: { description: 'Its global id (node(id:)): opaque, never parse it; `channel` names the account.', resolve: (a) => a.channel },
  loadOne: loadAccount,
  fields: (t) => ({
    channel: t.exposeString('channel', { description: 'The channel id (snowflake) the account runs its commands in: its key.' }),
    server: t.exposeString('server', { description: 'The guild id (snowflake) of the channel.' }),
    label: t.exposeString('label', { nullable: true, description: 'The operator’s label, shown in logs.' }),
    discord: t.exposeString('discord', { description: 'The token, masked (first 3 + … + last 3).' }),
    managed: t.field({ type: ManagerEnum, description: 'Who manages the account.', resolve: (a) => a.managed }),
    health: t.field({ type: HealthRef, description: 'Its health state.', resolve: (a) => a.health }),
    enabled: t.exposeBoolean('enabled', { description: 'False while the account needs a person or is paused; it is then skipped.' }),
    disabledReason: t.exposeString('disabledReason', {
      nullable: true,
      description: 'While not enabled: the reason and message of its health, in one line.',
    }),
    plan: t.field({ type: PlanEnum, description: 'Its InsightFaceSwap plan.', resolve: (a) => a.plan }),
    proxy: t.exposeString('proxy', {
      nullable: true,
      description: 'The proxy every connection of the account goes through, password masked.',
    }),
    pacing: t.field({ type: PacingRef, description: 'Its pacing.', resolve: (a) => a.pacing }),
    foreignCommand: t.exposeBoolean('foreignCommand', {
      description:
        'A command this server did not send runs in the channel (a person using the account): no job starts there until the bot answered it.',
    }),
    busy: t.exposeBoolean('busy', { description: 'A job holds the channel right now.' }),
    credits: t.field({ type: CreditsRef, description: 'Its credits today.', resolve: (a) => a.credits }),
  }),
});
