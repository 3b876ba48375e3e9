/**
 * The contract between the executor and the Discord driver. The executor only ever sees these
 * types; the real driver (discord REST + user gateway) and test stubs implement `CommandDriver`.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { ACCOUNT_SIGNALS, type AccountSignal } from './account-signals.js';
import type { DiscordAccount } from '../jobs/account.js';
import type { BotCommand } from '../jobs/commands.js';
import type { JobAttachment, SentCommand } from '../jobs/model.js';

export type { DiscordAccount } from '../jobs/account.js';

/**
 * One image to upload to Discord: its metadata, and a way to read its bytes (from the blob store,
 * on whichever instance runs the job). `open` may be called more than once (a retried upload).
 */
export interface UploadInput {
  filename: string;
  size: number;
  contentType: string;
  open(signal: AbortSignal): Promise<Readable>;
}

export interface PicsiCommand {
  jobId: string;
  account: DiscordAccount;
  /** The options string as given (already validated against the option table), or null. */
  options: string | null;
  source: UploadInput;
  target: UploadInput;
}

/**
 * One run of any of the bot's commands (src/jobs/commands.ts): its arguments by meaning; the driver
 * maps them onto the option names and types the command index declares.
 */
export interface CommandRun {
  jobId: string;
  account: DiscordAccount;
  command: BotCommand;
  /** /picsi's options string, already validated; null when none. */
  options: string | null;
  /** The identity commands' idname argument, already validated; null when the command takes none. */
  idname: string | null;
  /** The face image (/picsi, /saveid). */
  source?: UploadInput;
  /** The target image or GIF (/picsi, /swapid). */
  target?: UploadInput;
  /** Its images, uploaded ahead (CommandDriver.stage): used instead of uploading them when still good. */
  staged?: StagedUploads | null;
}

/** Which image of a command an upload is. */
export type ImageRole = 'source' | 'target';

/** What a command sends for an uploaded file: the slot it went into (POST /channels/{id}/attachments). */
export interface UploadedRef {
  id: string;
  filename: string;
  uploaded_filename: string;
}

/**
 * A command's images uploaded ahead of it, to its account's channel (CommandDriver.stage), while the
 * channel's previous command runs: the command then sends only /interactions. Used only on that
 * channel, for that job, while younger than INFERRED.stagedUploadMaxAgeMs (src/discord/protocol.ts).
 */
export interface StagedUploads {
  jobId: string;
  channel: string;
  refs: Partial<Record<ImageRole, UploadedRef>>;
  /** When the uploads ended (the driver's clock). */
  uploadedAt: number;
}

/** A command another holder sent (or this one, before a restart): follow it, never send again. */
export interface FollowCommand {
  jobId: string;
  account: DiscordAccount;
  command: SentCommand;
  /** Which bot command it was (how its answer reads); /picsi when absent. */
  kind?: BotCommand;
}

/** /listid's answer read into names (null when the text could not be read as a list). */
export interface ListedIdentities {
  names: string[];
  defaultId: string | null;
}

/** The outcome of any command: the bot's answer message (attachments for the image commands). */
export interface CommandResult {
  messageId: string;
  content: string;
  attachments: JobAttachment[];
  /** The bot message's timestamp (ISO 8601). */
  timestamp: string;
  interactionId: string | null;
  /** /listid only: the saved names read from the answer; null when it could not be read. */
  identities?: ListedIdentities | null;
}

/** Progress callbacks, so the executor can record what reached Discord. */
export interface CommandHooks {
  /**
   * Awaited right before POST /interactions: from here on a retry could run the command twice, so
   * the executor records the nonce first. If it throws, nothing is sent and picsi fails with it.
   */
  onCommandSending?(sent: SentCommand): Promise<void> | void;
  /** The interaction id, once the gateway told it (INTERACTION_CREATE), for whoever follows later. */
  onInteractionId?(interactionId: string): void;
}

export const DRIVER_FAILURE_CODES = [
  'BOT_ERROR',
  'IDENTITY_NOT_FOUND',
  'TOO_MANY_IDENTITIES',
  'IDENTITY_LIMIT_REACHED',
  'INTERACTION_FAILED',
  'DISCORD_RATE_LIMITED',
  'DISCORD_UNAUTHORIZED',
  'DISCORD_ERROR',
  'TIMEOUT',
  'ABORTED',
] as const;
export type DriverFailureCode = (typeof DRIVER_FAILURE_CODES)[number];

export interface DriverErrorInit {
  /** For BOT_ERROR: the classified reason from the bot-reply table (e.g. NO_FACE). */
  reason?: string;
  /** For DISCORD_RATE_LIMITED: Discord's retry_after, in milliseconds. */
  retryAfterMs?: number;
  /** JSON-serialisable details (the bot's text, Discord's error body…). Never contains a token. */
  details?: unknown;
  /** True once POST /interactions was sent (the command may have run). */
  commandSent: boolean;
  /**
   * What the failure says about the account, not the job (src/discord/account-signals.ts). A signal
   * read from Discord's answer to a request (a 4xx or a 429) also says that request was refused: a
   * command in it did not run, even when it reached the wire.
   */
  signal?: AccountSignal;
  cause?: unknown;
}

export class DriverError extends Error {
  override readonly name = 'DriverError';
  readonly reason: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly details: unknown;
  readonly commandSent: boolean;
  readonly signal: AccountSignal | undefined;

  constructor(
    readonly code: DriverFailureCode,
    message: string,
    init: DriverErrorInit,
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.reason = init.reason;
    this.retryAfterMs = init.retryAfterMs;
    this.details = init.details;
    this.commandSent = init.commandSent;
    this.signal = init.signal;
  }

  /** The command may have run: it reached the wire and Discord did not refuse it with an account signal. */
  get commandMayHaveRun(): boolean {
    return this.commandSent && !(this.signal?.refused ?? false);
  }

  /** The account needs a person before it is used again (its signal says so). */
  get disableAccount(): boolean {
    return this.signal !== undefined && ACCOUNT_SIGNALS[this.signal.id].state === 'NEEDS_PERSON';
  }
}

export interface CommandDriver {
  /**
   * Runs one bot command on the run's account and resolves with the bot's answer, or rejects with
   * a DriverError. Aborting `signal` stops every further Discord call at once (rejects with ABORTED).
   */
  run(command: CommandRun, signal: AbortSignal, hooks?: CommandHooks): Promise<CommandResult>;
  /** `run` of a /picsi. */
  picsi(command: PicsiCommand, signal: AbortSignal, hooks?: CommandHooks): Promise<CommandResult>;
  /**
   * Follows a command already sent (by a holder that died, or whose POST got no clear answer) to its
   * outcome, with the same reply matching as `picsi`: gateway events carrying its nonce or
   * interaction id, then the channel history. Never sends a command. The job timeout counts from
   * `command.sentAt`; it rejects with TIMEOUT when no answer came within it.
   */
  follow(command: FollowCommand, signal: AbortSignal, hooks?: CommandHooks): Promise<CommandResult>;
  /** True when the account's gateway session is ready (readyz). */
  isReady(channel: string): boolean;
  /** Fresh signed CDN URLs for result URLs that expired (original → refreshed), through `account`. */
  refreshUrls(account: DiscordAccount, urls: string[], signal: AbortSignal): Promise<Map<string, string>>;
  /**
   * Uploads a command's images to its account's channel ahead of it, while the channel is busy with
   * another command; `run` with them as `staged` sends only /interactions. Sends no command.
   */
  stage?(run: CommandRun, signal: AbortSignal): Promise<StagedUploads>;
  /** The connection pool of the account's own connections (its proxy, if it has one): result downloads use it too. */
  dispatcherFor?(account: DiscordAccount): Dispatcher;
  close(): Promise<void>;
}
