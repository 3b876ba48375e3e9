/**
 * The driver's account sessions: one AccountSession per user token and proxy (several channels may
 * share it; an account moved to another proxy gets a new session), opened on first use and closed
 * when its last channel is released or the driver closes.
 */
import type { Logger } from 'pino';
import type { Clock } from '../timing/clock.js';
import { AccountSession, type AccountSessionOptions } from './account-session.js';
import { DriverError, type DiscordAccount } from './types.js';

/** The driver's options a session is opened with (src/discord/driver.ts). */
export type SessionOptions = Pick<
  AccountSessionOptions,
  'apiUrl' | 'onForeignCommand' | 'gateway' | 'globalRequestsPerSecond' | 'onRateLimited'
>;

const sessionKey = (account: DiscordAccount) => `${account.discord}|${account.proxy ?? ''}`;

export class SessionRegistry {
  private readonly sessions = new Map<string, AccountSession>();
  private readonly channelKeys = new Map<string, string>();

  constructor(
    private readonly options: SessionOptions,
    private readonly logger: Logger,
    private readonly shutdown: AbortSignal,
    private readonly clock: Clock,
  ) {}

  /** The account's session, opened (and its gateway started) when it has none. */
  sessionFor(account: DiscordAccount): AccountSession {
    if (this.shutdown.aborted) throw new DriverError('ABORTED', 'Discord driver is closed', { commandSent: false });
    const key = sessionKey(account);
    const previous = this.channelKeys.get(account.channel);
    if (previous !== undefined && previous !== key) {
      // The channel moved to another token: its old session closes in the background.
      this.release(account.channel).catch((error: unknown) =>
        this.logger.warn({ err: error, channel: account.channel }, 'discord: closing the previous session failed'),
      );
    }
    let session = this.sessions.get(key);
    if (!session) {
      session = this.open(account);
      this.sessions.set(key, session);
    }
    session.channels.add(account.channel);
    this.channelKeys.set(account.channel, key);
    session.gateway.start();
    return session;
  }

  private open(account: DiscordAccount): AccountSession {
    const { options } = this;
    return new AccountSession({
      token: account.discord,
      apiUrl: options.apiUrl,
      logger: this.logger,
      clock: this.clock,
      ...(account.label ? { label: account.label } : {}),
      ...(account.proxy ? { proxy: account.proxy } : {}),
      ...(options.onForeignCommand ? { onForeignCommand: options.onForeignCommand } : {}),
      ...(options.gateway ? { gateway: options.gateway } : {}),
      ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
      ...(options.onRateLimited ? { onRateLimited: options.onRateLimited } : {}),
    });
  }

  /** Forgets a channel; closes its session when no other channel uses it. */
  async release(channel: string): Promise<void> {
    const key = this.channelKeys.get(channel);
    this.channelKeys.delete(channel);
    const session = key === undefined ? undefined : this.sessions.get(key);
    if (!session || key === undefined) return;
    session.channels.delete(channel);
    if (session.channels.size > 0) return;
    this.sessions.delete(key);
    await session.close();
  }

  isReady(channel: string): boolean {
    const key = this.channelKeys.get(channel);
    return key !== undefined && (this.sessions.get(key)?.gateway.ready ?? false);
  }

  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.channelKeys.clear();
    await Promise.all(all.map((s) => s.close()));
  }

  /** Sessions, channels and waiters (reply matchers plus callers waiting for READY). */
  counts(): { sessions: number; channels: number; waiters: number } {
    let waiters = 0;
    for (const s of this.sessions.values()) waiters += s.matcher.size + s.gateway.waiterCount;
    return { sessions: this.sessions.size, channels: this.channelKeys.size, waiters };
  }
}
