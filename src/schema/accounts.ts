import { AppError, echoInput } from '../errors.js';
import { checkAccountInput } from '../jobs/account-input.js';
import type { AccountView, Credits } from '../jobs/service.js';
import { builder } from './builder.js';

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

const AccountRef = builder.objectRef<AccountView>('Account').implement({
  description: 'A Discord user account bound to one channel. The token is write-only: only its masked form is readable.',
  fields: (t) => ({
    channel: t.exposeString('channel'),
    server: t.exposeString('server'),
    label: t.exposeString('label', { nullable: true }),
    discord: t.exposeString('discord', { description: 'The token, masked (first 3 + … + last 3).' }),
    enabled: t.exposeBoolean('enabled', { description: 'False when Discord refused the token; such an account is skipped.' }),
    disabledReason: t.exposeString('disabledReason', { nullable: true }),
    plan: t.field({ type: PlanEnum, resolve: (a) => a.plan }),
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
    description: 'Admin only. Creates or replaces the account of a channel; shared by every instance at once.',
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
