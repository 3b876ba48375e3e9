/**
 * The hosted API's account endpoints (admin tokens only): GET account, and GET, POST, DELETE
 * account/<channel>. POST takes the hosted API's `{ discord, server, channel }` (ours besides:
 * `label`, `plan`, `proxy` and the pacing settings) and answers 204; tokens are write-only, read back masked. The account rules are
 * GraphQL's upsertAccount's (src/jobs/account-input.ts).
 */
import { AppError, echoInput } from '../../errors.js';
import { checkAccountInput } from '../../jobs/account-input.js';
import { BOT_PLANS, type BotPlan } from '../../jobs/command-costs.js';
import type { AccountView } from '../../jobs/job-service.js';
import { optionalField, type RouteDeps } from './fields.js';
import { RESPONSES } from './responses.js';
import type { FieldSpec, RestRequest, RestReply, RouteSpec } from './route.js';
import { SCHEMA } from './schemas.js';

const ACCOUNT_PATH = '/v1/faceswap/account';
const CHANNEL_PATH = `${ACCOUNT_PATH}/{channel}`;

/** An account in the hosted API's fields (discord, server, channel, credits), then ours. */
const accountJson = (a: AccountView) => ({
  discord: a.discord,
  server: a.server,
  channel: a.channel,
  credits: { timestamp: a.credits.timestamp, total: a.credits.total, used: a.credits.used },
  label: a.label,
  plan: a.plan,
  managed: a.managed,
  health: a.health,
  enabled: a.enabled,
  disabledReason: a.disabledReason,
  proxy: a.proxy,
  pacing: a.pacing,
  busy: a.busy,
});

const notConfigured = (channel: string) =>
  new AppError('NOT_FOUND', `Configuration not found for channel ${echoInput(channel)}`, { field: 'channel' });

const required = (request: RestRequest, name: string): string => {
  const value = optionalField(request, name);
  if (value === undefined) throw new AppError('BAD_USER_INPUT', `Required param ${name} is missing or empty`, { field: name });
  return value;
};

function planOf(request: RestRequest): BotPlan | null {
  const plan = optionalField(request, 'plan');
  if (plan === undefined) return null;
  if (!(BOT_PLANS as readonly string[]).includes(plan))
    throw new AppError('BAD_USER_INPUT', `Param plan must be ${BOT_PLANS.join(' or ')}`, { field: 'plan' });
  return plan as BotPlan;
}

async function putAccount(deps: RouteDeps, request: RestRequest): Promise<RestReply> {
  const channel = request.params['channel']!;
  const discord = required(request, 'discord');
  const server = required(request, 'server');
  const named = optionalField(request, 'channel') ?? channel;
  if (named !== channel)
    throw new AppError('BAD_USER_INPUT', `Param channel (${echoInput(named)}) is not the channel of the path (${echoInput(channel)})`, {
      field: 'channel',
    });
  await deps.jobs.accounts.upsert(
    checkAccountInput({
      channel,
      server,
      discord,
      label: optionalField(request, 'label') ?? null,
      plan: planOf(request),
      proxy: optionalField(request, 'proxy') ?? null,
      minGapMs: integerField(request, 'minGapMs'),
      jitterMs: integerField(request, 'jitterMs'),
      dailyCommands: integerField(request, 'dailyCommands'),
      activeHours: optionalField(request, 'activeHours') ?? null,
      timezone: optionalField(request, 'timezone') ?? null,
    }),
  );
  return { status: 204 };
}

/** A whole number given as text (form fields are text); its range is the account rules' (src/jobs/account-pacing.ts). */
function integerField(request: RestRequest, name: string): number | null {
  const value = optionalField(request, name);
  if (value === undefined) return null;
  if (!/^\d{1,12}$/.test(value)) throw new AppError('BAD_USER_INPUT', `Param ${name} must be a whole number`, { field: name });
  return Number(value);
}

async function getAccount(deps: RouteDeps, request: RestRequest): Promise<RestReply> {
  const channel = request.params['channel']!;
  const account = await deps.jobs.accounts.get(channel);
  if (!account) throw notConfigured(channel);
  return { status: 200, body: accountJson(account) };
}

async function deleteAccount(deps: RouteDeps, request: RestRequest): Promise<RestReply> {
  const channel = request.params['channel']!;
  if (!(await deps.jobs.accounts.delete(channel))) throw notConfigured(channel);
  return { status: 204 };
}

const ACCOUNT_FIELDS: readonly FieldSpec[] = [
  { name: 'discord', required: true, description: 'The Discord user token of the account. Stored, never returned (reads show it masked).' },
  { name: 'server', required: true, description: 'The guild (server) id.' },
  { name: 'channel', description: 'The channel id; when given, the one of the path.' },
  { name: 'label', description: 'Ours: a label for logs and listings.' },
  { name: 'plan', enum: BOT_PLANS, description: 'Ours: the account’s InsightFaceSwap plan (its GIF limits and price); unset: basic.' },
  {
    name: 'proxy',
    description: 'Ours: http://, https:// or socks5:// proxy (credentials in the URL) for every connection of the account.',
  },
  { name: 'minGapMs', description: 'Ours: least milliseconds between the end of a command and the next (unset: ACCOUNT_MIN_GAP_MS).' },
  { name: 'jitterMs', description: 'Ours: a random extra gap, 0 to this many milliseconds (unset: ACCOUNT_JITTER_MS).' },
  { name: 'dailyCommands', description: 'Ours: most commands a day (unset: ACCOUNT_DAILY_COMMANDS).' },
  {
    name: 'activeHours',
    description: 'Ours: HH:MM-HH:MM, the hours the account takes jobs, in its time zone (unset: ACCOUNT_ACTIVE_HOURS).',
  },
  { name: 'timezone', description: 'Ours: the IANA time zone of activeHours and of the daily cap’s day (unset: ACCOUNT_TIMEZONE).' },
];

const ADMIN_ERRORS = { 401: RESPONSES.unauthorized, 403: RESPONSES.forbidden, 503: RESPONSES.unavailable } as const;
const UNKNOWN_CHANNEL = {
  ...RESPONSES.notFound,
  description:
    'No account for this channel: "Configuration not found for channel <channel>, to create POST v1/faceswap/account/<channel>".',
};

export function accountRoutes(deps: RouteDeps): RouteSpec[] {
  const common = { tag: 'accounts', access: 'admin' } as const;
  return [
    {
      ...common,
      method: 'GET',
      path: ACCOUNT_PATH,
      operationId: 'getAccounts',
      summary: 'Every configured account, by channel',
      description: 'With each account’s credits for the current UTC day. Admin tokens only.',
      responses: { 200: { description: 'Accounts by channel id.', schema: SCHEMA.accounts }, ...ADMIN_ERRORS },
      handle: async () => ({
        status: 200,
        body: Object.fromEntries((await deps.jobs.accounts.list()).map((a) => [a.channel, accountJson(a)])),
      }),
    },
    {
      ...common,
      method: 'GET',
      path: CHANNEL_PATH,
      operationId: 'getAccount',
      summary: 'One account, with its credits',
      description: 'Admin tokens only.',
      responses: { 200: { description: 'The account.', schema: SCHEMA.account }, 404: UNKNOWN_CHANNEL, ...ADMIN_ERRORS },
      handle: (request) => getAccount(deps, request),
    },
    {
      ...common,
      method: 'POST',
      path: CHANNEL_PATH,
      operationId: 'putAccount',
      summary: 'Create or replace the account of a channel',
      description: 'Shared by every instance at once. Admin tokens only.',
      body: { fields: ACCOUNT_FIELDS },
      responses: { 204: { description: 'Stored.' }, 400: RESPONSES.badInput, ...ADMIN_ERRORS },
      handle: (request) => putAccount(deps, request),
    },
    {
      ...common,
      method: 'DELETE',
      path: CHANNEL_PATH,
      operationId: 'deleteAccount',
      summary: 'Delete the account of a channel',
      description: 'Admin tokens only.',
      responses: { 204: { description: 'Deleted.' }, 404: UNKNOWN_CHANNEL, ...ADMIN_ERRORS },
      handle: (request) => deleteAccount(deps, request),
    },
  ];
}
