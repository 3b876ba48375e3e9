/** The enums of a job: its status, how it waits, its command, why it failed, its callback's state. */
import { ERROR_CODES, JOB_ERROR_CODES, type JobErrorCode } from '../errors.js';
import { BOT_COMMANDS, type BotCommand } from '../jobs/commands.js';
import { JOB_STATUSES, type CallbackStatus, type JobStatus } from '../jobs/model.js';
import { builder } from './builder.js';

const STATUS_DESCRIPTIONS: Record<JobStatus, string> = {
  QUEUED: 'Accepted, waiting for a channel (queuePosition, estimatedStartAt).',
  STARTED: "A channel holds the job and runs its command; the bot's answer is awaited.",
  COMPLETED: 'The bot answered: its text in content, its files in attachments.',
  FAILED: 'Ended without a result: code, error and errorDetails say why.',
  CANCELLED: 'Cancelled by cancelJob (code CANCELLED).',
};

export const JobStatusEnum = builder.enumType('JobStatus', {
  description: 'QUEUED → STARTED → COMPLETED | FAILED | CANCELLED. A job always ends in one of the last three.',
  values: Object.fromEntries(JOB_STATUSES.map((s) => [s, { value: s, description: STATUS_DESCRIPTIONS[s] }])) as Record<
    JobStatus,
    { value: JobStatus; description: string }
  >,
});

export const WaitModeEnum = builder.enumType('WaitMode', {
  description: 'How a job-starting mutation waits when every eligible channel is busy.',
  values: {
    QUEUE: {
      value: 'QUEUE',
      description:
        'Wait in the queue (default): fair between API tokens, first come first served within one; refused with CHANNEL_BUSY only when the queue is full.',
    },
    FAIL_FAST: { value: 'FAIL_FAST', description: 'The hosted API behaviour: try LOCK_ATTEMPTS times, then refuse with CHANNEL_BUSY.' },
  } as const,
});

/** Each bot command as a JobCommand value (its name upper-cased) and what it does. */
const COMMAND_DESCRIPTIONS: Record<BotCommand, string> = {
  picsi: '/picsi: swaps the face of sourceImage onto targetImage (mutation picsi).',
  saveid: '/saveid: saves a face under a name (saveId).',
  swapid: '/swapid: swaps saved identities onto targetImage (swapId).',
  setid: '/setid: sets the default identities (setId).',
  listid: '/listid: lists the saved identities (listIds).',
  delid: '/delid: deletes one saved identity (deleteId).',
  delall: '/delall: deletes every saved identity (deleteAllIds).',
};

export const JobCommandEnum = builder.enumType('JobCommand', {
  description: 'The bot command a job runs: the typed form of its verb (faceswap-picsi → PICSI).',
  values: Object.fromEntries(
    BOT_COMMANDS.map((command) => [command.toUpperCase(), { value: command, description: COMMAND_DESCRIPTIONS[command] }]),
  ) as Record<Uppercase<BotCommand>, { value: BotCommand; description: string }>,
});

/** Generated from src/errors.ts: the codes whose `appearsOn` is 'job' or 'both'. */
export const JobErrorCodeEnum = builder.enumType('JobErrorCode', {
  description: 'Why a job failed or was cancelled (the README errors section, src/errors.ts).',
  values: Object.fromEntries(JOB_ERROR_CODES.map((code) => [code, { value: code, description: ERROR_CODES[code].description }])) as Record<
    JobErrorCode,
    { value: JobErrorCode; description: string }
  >,
});

export const isJobErrorCode = (code: string): code is JobErrorCode => (JOB_ERROR_CODES as readonly string[]).includes(code);

const CALLBACK_STATUS_DESCRIPTIONS: Record<CallbackStatus, string> = {
  PENDING: 'Not delivered yet: attempts go on with backoff, up to CALLBACK_MAX_ATTEMPTS (network errors, 408, 429 and 5xx are retried).',
  DELIVERED: 'The replyUrl answered 2xx.',
  FAILED: 'Given up: every attempt failed, or the answer was final (another status); lastError says why.',
};

export const CallbackStatusEnum = builder.enumType('CallbackStatus', {
  description: 'Where the delivery of a job to its replyUrl stands.',
  values: Object.fromEntries(
    (Object.keys(CALLBACK_STATUS_DESCRIPTIONS) as CallbackStatus[]).map((s) => [
      s,
      { value: s, description: CALLBACK_STATUS_DESCRIPTIONS[s] },
    ]),
  ) as Record<CallbackStatus, { value: CallbackStatus; description: string }>,
});
