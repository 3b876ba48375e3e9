/**
 * The production CommandDriver: one AccountSession per user token (several channels may share it),
 * created on `connect` or lazily by `run`, and torn down by `disconnect` of its last channel or
 * by `close`.
 */
import type { Logger } from 'pino';
import { AccountSession } from './account-session.js';
import type { GatewayTuning } from './account-session.js';
import { createNonceFactory } from './ids.js';
import { followCommand, runCommand, type JobDeps } from './command-job.js';
import { DriverError } from './types.js';
import type { CommandResult, CommandRun, DiscordAccount, FollowCommand, PicsiCommand, CommandDriver, CommandHooks } from './types.js';
import type { ForeignCommandEvent } from './foreign-commands.js';
import { GatewayFatalError } from './user-gateway.js';
import { signalField } from './account-signals.js';
import { stageUploads } from './staged-uploads.js';

export interface DiscordDriverOptions {
  /** DISCORD_API_URL, e.g. https://discord.com/api (no version; the driver uses v9). */
  apiUrl: string;
  logger: Logger;
  /** JOB_TIMEOUT_MS: the most one run() may take, from call to final reply. */
  timeoutMs: number;
  /** DISCORD_GLOBAL_RATE_LIMIT: REST requests per second per account (the library paces to it). */
  globalRequestsPerSecond?: number;
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
  const now = options.now ?? Date.now;
  const newNonce = options.newNonce ?? createNonceFactory(now);
  const logger = options.logger.child({ component: 'discord' });
  /** Sessions by token and proxy (an account moved to another proxy gets a new session). */
  const sessions = new Map<string, AccountSession>();
  const channelTokens = new Map<string, string>();
  const sessionKey = (account: DiscordAccount) => `${account.discord}|${account.proxy ?? ''}`;
  const shutdown = new AbortController();
  let running = 0;

  function sessionFor(account: DiscordAccount): AccountSession {
    if (shutdown.signal.aborted) throw new DriverError('ABORTED', 'Discord driver is closed', { commandSent: false });
    const key = sessionKey(account);
    const previous = channelTokens.get(account.channel);
    if (previous !== undefined && previous !== key) {
      // The channel moved to another token: its old session closes in the background.
      release(account.channel).catch((error: unknown) =>
        logger.warn({ err: error, channel: account.channel }, 'discord: closing the previous session failed'),
      );
    }
    let session = sessions.get(key);
    if (!session) {
      session = new AccountSession({
        token: account.discord,
        apiUrl: options.apiUrl,
        logger,
        ...(account.label ? { label: account.label } : {}),
        ...(account.proxy ? { proxy: account.proxy } : {}),
        ...(options.onForeignCommand ? { onForeignCommand: options.onForeignCommand } : {}),
        ...(options.gateway ? { gateway: options.gateway } : {}),
        ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
        ...(options.onRateLimited ? { onRateLimited: options.onRateLimited } : {}),
      });
      sessions.set(key, session);
    }
    session.channels.add(account.channel);
    channelTokens.set(account.channel, key);
    session.gateway.start();
    return session;
  }

  async function release(channel: string): Promise<void> {
    const token = channelTokens.get(channel);
    channelTokens.delete(channel);
    const session = token === undefined ? undefined : sessions.get(token);
    if (!session || token === undefined) return;
    session.channels.delete(channel);
    if (session.channels.size > 0) return;
    sessions.delete(token);
    await session.close();
  }

  async function runOnSession(
    account: DiscordAccount,
    signal: AbortSignal,
    abortedMessage: string,
    run: (deps: JobDeps, signal: AbortSignal) => Promise<CommandResult>,
  ): Promise<CommandResult> {
    // Aborted before anything: not even a gateway connection is opened.
    if (signal.aborted) throw new DriverError('ABORTED', abortedMessage, { commandSent: false });
    const session = sessionFor(account);
    running += 1;
    try {
      const deps: JobDeps = {
        session,
        timeoutMs: options.timeoutMs,
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
    async connect(account) {
      const session = sessionFor(account);
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
      try {
        await session.gateway.waitReady(AbortSignal.any([shutdown.signal, deadline.signal]));
      } catch (err) {
        if (err instanceof GatewayFatalError) {
          throw new DriverError(
            err.unauthorized ? 'DISCORD_UNAUTHORIZED' : 'DISCORD_ERROR',
            `Discord gateway refused the account: ${err.message}`,
            {
              commandSent: false,
              ...signalField(err),
              details: { closeCode: err.closeCode, closeReason: err.closeReason },
            },
          );
        }
        if (shutdown.signal.aborted) throw new DriverError('ABORTED', 'Discord driver closed while connecting', { commandSent: false });
        throw new DriverError('TIMEOUT', `Gateway not ready within ${options.timeoutMs} ms`, {
          commandSent: false,
          details: { gateway: session.gateway.state },
        });
      } finally {
        clearTimeout(timer);
      }
    },

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
      const session = sessionFor(account);
      try {
        return await session.rest.refreshUrls(urls, AbortSignal.any([signal, shutdown.signal]));
      } catch (err) {
        throw new DriverError('DISCORD_ERROR', `refreshing attachment URLs failed: ${err instanceof Error ? err.message : String(err)}`, {
          commandSent: false,
          cause: err,
        });
      }
    },

    async stage(command: CommandRun, signal: AbortSignal) {
      if (signal.aborted) throw new DriverError('ABORTED', 'Staging aborted before it started', { commandSent: false });
      const session = sessionFor(command.account);
      try {
        return await stageUploads(session, command, AbortSignal.any([signal, shutdown.signal]), now);
      } catch (err) {
        if (err instanceof DriverError) throw err;
        throw new DriverError('DISCORD_ERROR', `staging uploads failed: ${err instanceof Error ? err.message : String(err)}`, {
          commandSent: false,
          cause: err,
        });
      }
    },

    dispatcherFor: (account) => sessionFor(account).rest.agent,

    isReady(channel) {
      const token = channelTokens.get(channel);
      return token !== undefined && (sessions.get(token)?.gateway.ready ?? false);
    },

    disconnect: release,

    async close() {
      shutdown.abort(new Error('driver closed'));
      const all = [...sessions.values()];
      sessions.clear();
      channelTokens.clear();
      await Promise.all(all.map((s) => s.close()));
    },

    inspect() {
      let waiters = 0;
      for (const s of sessions.values()) waiters += s.matcher.size + s.gateway.waiterCount;
      return { sessions: sessions.size, channels: channelTokens.size, waiters, running };
    },
  };
}
