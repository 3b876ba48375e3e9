/**
 * What the GraphQL layer needs from the job service (implemented by src/executor). Kept as an
 * interface so the schema depends on behaviour, not on Redis.
 */
import type { BotPlan } from './command-costs.js';
import type { AccountHealthState, AccountManager, DiscordAccount } from './account.js';
import type { BotCommand } from './commands.js';
import type { CallbackState, Job, JobStatus, WaitMode } from './model.js';
import type { StagedFile } from './staged-file.js';

export type JobView = Job & { queuePosition: number | null };

export interface SubmitInput {
  /** The bot command to run (default /picsi); its inputs are listed in src/jobs/commands.ts. */
  command?: BotCommand;
  owner: string;
  requestedChannel: string | null;
  options: string | null;
  /** The identity commands' idname argument, already validated (src/jobs/identity-names.ts). */
  idname?: string | null;
  /**
   * The command's images, already in the blob store (the face, the target); the service owns them
   * from the call on (deletes them on refusal).
   */
  source?: StagedFile;
  target?: StagedFile;
  replyUrl: string | null;
  replyRef: string | null;
  mode: WaitMode;
}

export interface JobFilter {
  owner?: string;
  status?: JobStatus;
  channel?: string;
}

export interface JobPage {
  /** Each job with its cursor: paging can resume after any of them (the format is the store's). */
  edges: { job: JobView; cursor: string }[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface Credits {
  timestamp: string;
  total: number;
  used: number;
}

/** An account's health as the API shows it (src/jobs/account.ts), times as ISO 8601. */
export interface AccountHealthView {
  state: AccountHealthState;
  reason: string | null;
  message: string | null;
  evidence: Record<string, unknown> | null;
  since: string;
  until: string | null;
}

/** The account's effective pacing (its own settings over the ACCOUNT_* globals). */
export interface AccountPacingView {
  minGapMs: number;
  jitterMs: number;
  dailyCommands: number | null;
  activeHours: string | null;
  timezone: string;
  /** When the pacing gap after the last command ends; null when it has. */
  nextCommandAt: string | null;
}

export interface AccountView {
  channel: string;
  server: string;
  label: string | null;
  /** The user token, masked (3 + … + 3). */
  discord: string;
  managed: AccountManager;
  health: AccountHealthView;
  /** False while the account needs a person or is paused. */
  enabled: boolean;
  disabledReason: string | null;
  /** The account's InsightFaceSwap plan: its GIF limits and price. */
  plan: BotPlan;
  /** The proxy with its password masked; null without one. */
  proxy: string | null;
  pacing: AccountPacingView;
  /** A command this server did not send is running in the channel (a person using the account). */
  foreignCommand: boolean;
  credits: Credits;
  busy: boolean;
}

export interface AccountRegistry {
  list(): Promise<AccountView[]>;
  get(channel: string): Promise<AccountView | null>;
  /** Creates or replaces an API-managed account (it starts ACTIVE). */
  upsert(account: DiscordAccount): Promise<AccountView>;
  delete(channel: string): Promise<boolean>;
  /** Takes the account out of rotation (PAUSED) until resume; NOT_FOUND for an unknown channel. */
  pause(channel: string, note: string | null): Promise<AccountView>;
  /** Runs the doctor's checks of the account, then puts it back in rotation; ACCOUNT_UNAVAILABLE with the failing check's text. */
  resume(channel: string): Promise<AccountView>;
  /** The accounts' current views first, then each change (of one channel, or all with null). */
  watch(channel: string | null, signal: AbortSignal): AsyncIterable<AccountView>;
  /**
   * A command this instance did not send runs in the channel (`running`: ignored while a job holds the
   * channel, whichever instance sent it), or the bot answered it. True when it was recorded.
   */
  foreignCommand(channel: string, interactionId: string, running: boolean): Promise<boolean>;
}

/** A time-limited link to our copy of a result file. */
export interface DownloadLink {
  url: string;
  /** ISO 8601 UTC ms. */
  expiresAt: string;
}

export interface JobService {
  submit(input: SubmitInput): Promise<JobView>;
  get(id: string): Promise<JobView | null>;
  /** Newest first. A malformed `after` is a BAD_USER_INPUT AppError. */
  list(filter: JobFilter, page: { first: number; after?: string | null }): Promise<JobPage>;
  cancel(id: string, owner: string | null): Promise<JobView | null>;
  watch(id: string, signal: AbortSignal): AsyncIterable<JobView>;
  watchAll(filter: { channel?: string; owner?: string }, signal: AbortSignal): AsyncIterable<JobView>;
  readonly accounts: AccountRegistry;
  onTerminal(listener: (job: Job) => void): () => void;
  /** Records callback delivery progress on the job (bumps its version, publishes). */
  setCallbackState(id: string, state: CallbackState): Promise<void>;
  /**
   * When a queued job may start, estimated from its queue position, the channels it may run on, their
   * pacing and a typical job's duration; null when it is not queued.
   */
  estimatedStart(job: JobView): Promise<string | null>;
  /** A link to a stored result copy (`baseUrl`: this server's public origin, for /files/… links). */
  downloadLink(key: string, filename: string, baseUrl: string): Promise<DownloadLink>;
  ready(): Promise<boolean>;
  close(deadlineMs: number): Promise<void>;
}
