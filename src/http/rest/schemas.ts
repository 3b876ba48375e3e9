/**
 * The JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of what the REST API answers: the hosted
 * API's job Model (src/jobs/hosted-job.ts), its error form, its account. The OpenAPI document's
 * components are these; test/rest walks every route and validates each answer against them.
 */
import { HOSTED_STATUSES } from '../../jobs/hosted-job.js';
import { ACCOUNT_STATES } from '../../jobs/account.js';

export type JsonSchema = Readonly<Record<string, unknown>>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (type: string): JsonSchema => ({ type: [type, 'null'] });
const object = (properties: Record<string, JsonSchema>, description: string): JsonSchema => ({
  type: 'object',
  description,
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});
const dateTime = (description: string, nullAllowed = false): JsonSchema => ({
  type: nullAllowed ? ['string', 'null'] : 'string',
  format: 'date-time',
  description,
});

const FileInfo = object(
  { size: { type: 'integer' }, type: { type: 'string' } },
  'An uploaded image: bytes, and the type detected from its bytes.',
);

const DownloadLink = object(
  { url: { type: 'string' }, expiresAt: dateTime('When the link stops working (ask again for a fresh one).') },
  'Ours: a time-limited link to our copy of the result, which outlives Discord’s expiring URL.',
);

const Attachment = object(
  {
    id: { type: 'string' },
    content_type: nullable('string'),
    filename: { type: 'string' },
    url: { type: 'string', description: 'Discord’s CDN URL (expires after hours to days).' },
    proxy_url: nullable('string'),
    size: { type: 'integer' },
    width: nullable('integer'),
    height: nullable('integer'),
    download: { oneOf: [ref('DownloadLink'), { type: 'null' }] },
  },
  'A file of the bot’s reply: the result image.',
);

const Job = object(
  {
    jobid: { type: 'string' },
    verb: { type: 'string', description: '`faceswap-<command>`: faceswap-picsi, faceswap-saveid, …' },
    status: { enum: Object.values(HOSTED_STATUSES), description: '`created` while queued for a channel.' },
    options: nullable('string'),
    source_image: { oneOf: [ref('FileInfo'), { type: 'null' }] },
    target_image_gif_or_video: { oneOf: [ref('FileInfo'), { type: 'null' }] },
    created: dateTime('ISO 8601 UTC with milliseconds.'),
    updated: dateTime('ISO 8601 UTC with milliseconds.'),
    discord: { type: ['string', 'null'], description: 'The account token, masked: first 3 + … + last 3 characters.' },
    server: nullable('string'),
    channel: nullable('string'),
    replyUrl: nullable('string'),
    replyRef: nullable('string'),
    messageId: nullable('string'),
    content: { type: ['string', 'null'], description: 'The bot’s message text.' },
    attachments: { type: 'array', items: ref('Attachment') },
    timestamp: dateTime('The bot message’s timestamp.', true),
    error: nullable('string'),
    errorDetails: { type: ['string', 'null'], description: 'JSON text: the bot’s text, Discord’s error body (retry_after)…' },
    code: { type: ['integer', 'null'], description: '200 once completed, the failure’s HTTP status once failed or cancelled.' },
    errorCode: { type: ['string', 'null'], description: 'Ours: the job code of a failed or cancelled job (README, Errors).' },
    queuePosition: { type: ['integer', 'null'], description: 'Ours: 1-based place in the queue while created.' },
    creditCost: nullable('integer'),
    idname: nullable('string'),
    identities: { type: ['array', 'null'], items: { type: 'string' }, description: 'listid: the saved names the bot listed.' },
    defaultIdentity: nullable('string'),
  },
  'A job: the hosted API’s Model, then our extra fields.',
);

const Error = {
  type: 'object',
  description: 'A refused request: the hosted API’s `{ error, code }`, then ours.',
  properties: {
    error: { type: 'string' },
    code: { type: 'integer', description: 'The HTTP status.' },
    errorCode: { type: 'string', description: 'Ours: the code of README’s Errors table.' },
    detail: { type: 'string', description: 'Ours: our own wording, where `error` holds the hosted API’s.' },
    field: { type: 'string', description: 'The parameter at fault.' },
    retryAfter: { type: 'integer', description: 'Seconds to wait (also the Retry-After header).' },
  },
  required: ['error', 'code'],
  additionalProperties: false,
} as const satisfies JsonSchema;

const Credits = object(
  { timestamp: dateTime('When the credits were read.'), total: { type: 'integer' }, used: { type: 'integer' } },
  'Credits of the account for the current UTC day.',
);

const AccountHealth = object(
  {
    state: { enum: [...ACCOUNT_STATES] },
    reason: { ...nullable('string'), description: 'Why the account is in this state (a reason code of docs/discord-protocol.md).' },
    message: { ...nullable('string'), description: 'The reason in words, with what to do.' },
    evidence: { type: ['object', 'null'], description: 'What Discord or the bot answered (status, code, body or text).' },
    since: dateTime('When the account entered this state.'),
    until: dateTime('When the state ends by itself (a cooldown, the credits reset); null when a person must act.', true),
  },
  'The account’s health (README, "Accounts in the field").',
);

const AccountPacing = object(
  {
    minGapMs: { type: 'integer' },
    jitterMs: { type: 'integer' },
    dailyCommands: nullable('integer'),
    activeHours: nullable('string'),
    timezone: { type: 'string' },
    nextCommandAt: dateTime('When the pacing gap after the last command ends; null when it has.', true),
  },
  'The account’s effective pacing: its own settings over the ACCOUNT_* defaults.',
);

const Account = object(
  {
    discord: { type: 'string', description: 'The user token, masked (first 3 + … + last 3).' },
    server: { type: 'string' },
    channel: { type: 'string' },
    credits: ref('Credits'),
    label: nullable('string'),
    plan: { enum: ['basic', 'pro'] },
    managed: { enum: ['CONFIG', 'API'], description: 'CONFIG: from DISCORD_ACCOUNTS (reconciled at start); API: created here.' },
    health: ref('AccountHealth'),
    enabled: { type: 'boolean' },
    disabledReason: nullable('string'),
    proxy: { ...nullable('string'), description: 'The account’s proxy, its password masked.' },
    pacing: ref('AccountPacing'),
    busy: { type: 'boolean' },
  },
  'A configured Discord account, bound to one channel.',
);

export const COMPONENT_SCHEMAS = {
  Job,
  Attachment,
  FileInfo,
  DownloadLink,
  Error,
  Account,
  AccountHealth,
  AccountPacing,
  Credits,
} as const satisfies Record<string, JsonSchema>;

export const SCHEMA = {
  job: ref('Job'),
  jobs: { type: 'array', items: ref('Job') },
  error: ref('Error'),
  account: ref('Account'),
  accounts: { type: 'object', additionalProperties: ref('Account'), description: 'Every account, by channel id.' },
} as const satisfies Record<string, JsonSchema>;
