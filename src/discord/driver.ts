/**
 * The production CommandDriver: one AccountSession per user token (several channels may share it),
 * created on `connect` or lazily by `run`, and torn down by `disconnect` of its last channel or
 * by `close`.
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../timing/clock.js';
import type { GatewayTuning } from './account-session.js';
import { asDriverError, waitGatewayReady } from './driver-errors.js';
import { SessionRegistry } from './session-registry.js';
import { createNonceFactory } from './ids.js';
import { followCommand, runCommand, type JobDeps } from './command-job.js';
import { DriverError } from './types.js';
import type { CommandResult, CommandRun, DiscordAccount, FollowCommand, PicsiCommand, CommandDriver, CommandHooks } from './types.js';
import type { ForeignCommandEvent } from './foreign-commands.js';
import { stageUploads } from './staged-uploads.js';

export interface DiscordDriverOptions {
  /** DISCORD_API_URL, e.g. https://discord.com/api (no version; the driver uses v9). */
  apiUrl: string;
  logger: Logger;
  /** JOB_TIMEOUT_MS: the most one run() may take, from call to final reply. */
  timeoutMs: number;
  /** DISCORD_GLOBAL_RATE_LIMIT: REST requests per second per account (the library paces to it). */
  globalRequestsPerSecond?: number;
  /** Time for the driver's timeouts, waits and stamps (default the system clock). */
  clock?: Clock;
  /** Only the reads of the time (the timers stay on `clock`). */
  now?: () => number;
  /** Nonce factory (default: snowflake-like from `now`). */
  newNonce?: () => string;
  /** Gateway reconnect/backoff knobs (tests shorten them). */
  gateway?: GatewayTuning;
  /** Told the URL path of every REST request Discord answered with 429 (metrics). */
  onRateLimited?: (path: string) => void;
  /** Channel history polling after a non-resumable gateway drop (default 2000 ms, 50 messages). */
  historyPollMs?: number;
  historyLimit?: number;
  /** How long a job waits for its account's gateway session before it moves on (default 15000). */
  gatewayReadyMs?: number;
  /** Told of commands in an account's channel that this server did not send (src/discord/foreign-commands.ts). */
  onForeignCommand?: (event: ForeignCommandEvent) => void;
}

/** Counters for leak checks and readiness probes. */
export interface DriverInspection {
  sessions: number;
  channels: number;
  /** Jobs waiting on a gateway session (reply waiters) plus callers waiting for READY. */
  waiters: number;
  running: number;
}

export type DiscordDriver = CommandDriver & {
  /** Opens (or reuses) the account's gateway session and waits for READY (at most timeoutMs). */
  connect(account: DiscordAccount): Promise<void>;
  /** Forgets a channel; closes its account's session when no other channel uses it. */
  disconnect(channel: string): Promise<void>;
  inspect(): DriverInspection;
};

export function createDiscordDriver(options: DiscordDriverOptions): DiscordDriver {
  const base = options.clock ?? systemClock;
  const clock: Clock = options.now ? { ...base, now: options.now } : base;
  const now = () => clock.now();
  const newNonce = options.newNonce ?? createNonceFactory(now);
  const logger = options.logger.child({ component: 'discord' });
  const shutdown = new AbortController();
  const sessions = new SessionRegistry(options, logger, shutdown.signal, clock);
  let running = 0;

  async function runOnSession(
    account: DiscordAccount,
    signal: AbortSignal,
    abortedMessage: string,
    run: (deps: JobDeps, signal: AbortSignal) => Promise<CommandResult>,
  ): Promise<CommandResult> {
    // Aborted before anything: not even a gateway connection is opened.
    if (signal.aborted) throw new DriverError('ABORTED', abortedMessage, { commandSent: false });
    const session = sessions.sessionFor(account);
    running += 1;
    try {
      const deps: JobDeps = {
        session,
        timeoutMs: options.timeoutMs,
        clock,
        now,
        newNonce,
        historyPollMs: options.historyPollMs ?? 2000,
        historyLimit: options.historyLimit ?? 50,
        gatewayReadyMs: options.gatewayReadyMs ?? 15_000,
      };
      return await run(deps, AbortSignal.any([signal, shutdown.signal]));
    } finally {
      running -= 1;
    }
  }

  function run(command: CommandRun, signal: AbortSignal, hooks?: CommandHooks): Promise<CommandResult> {
    return runOnSession(command.account, signal, 'Job aborted before it started', (deps, s) => runCommand(deps, command, s, hooks));
  }

  return {
    connect: (account) => waitGatewayReady(sessions.sessionFor(account), options.timeoutMs, shutdown.signal, clock),
    run,
    picsi(command: PicsiCommand, signal: AbortSignal, hooks?: CommandHooks): Promise<CommandResult> {
      return run({ ...command, command: 'picsi', idname: null }, signal, hooks);
    },
    follow(command: FollowCommand, signal: AbortSignal, hooks?: CommandHooks): Promise<CommandResult> {
      return runOnSession(command.account, signal, 'Job aborted before following its command', (deps, s) =>
        followCommand(deps, command, s, hooks),
      );
    },
    async refreshUrls(account, urls, signal) {
      const session = sessions.sessionFor(account);
      return asDriverError('refreshing attachment URLs', () => session.rest.refreshUrls(urls, AbortSignal.any([signal, shutdown.signal])));
    },
    async stage(command: CommandRun, signal: AbortSignal) {
      if (signal.aborted) throw new DriverError('ABORTED', 'Staging aborted before it started', { commandSent: false });
      const session = sessions.sessionFor(command.account);
      const stage = () => stageUploads(session, command, AbortSignal.any([signal, shutdown.signal]), now);
      return asDriverError('staging uploads', stage, true);
    },
    dispatcherFor: (account) => sessions.sessionFor(account).rest.agent,
    isReady: (channel) => sessions.isReady(channel),
    disconnect: (channel) => sessions.release(channel),
    async close() {
      shutdown.abort(new Error('driver closed'));
      await sessions.closeAll();
    },
    inspect: () => ({ ...sessions.counts(), running }),
  };
}
