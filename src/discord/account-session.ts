/**
 * Everything one Discord user account (one token) needs: its REST client, its gateway session,
 * the matcher that hands that session's dispatches to the jobs waiting on it, and its cached
 * command index. Several channels (jobs) may share it; its logger shows only the masked token.
 */
import type { Logger } from 'pino';
import { maskToken } from '../jobs/model.js';
import { identifyPayload } from './client-identity.js';
import { CommandIndex } from './command-index.js';
import { SessionClosedError } from './gateway-close.js';
import { INSIGHTFACESWAP_APPLICATION_ID } from './protocol.js';
import { ReplyMatcher } from './reply-matcher.js';
import { DiscordRest } from './rest-client.js';
import { UserGateway } from './user-gateway.js';
import type { UserGatewayOptions } from './user-gateway.js';

/** Gateway knobs the driver passes through (tests shorten them; metrics count reconnects). */
export type GatewayTuning = Pick<
  UserGatewayOptions,
  'reconnect' | 'invalidSessionDelayMs' | 'handshakeTimeoutMs' | 'random' | 'onReconnect'
>;

export interface AccountSessionOptions {
  token: string;
  label?: string;
  apiUrl: string;
  logger: Logger;
  gateway?: GatewayTuning;
  globalRequestsPerSecond?: number;
  onRateLimited?: (path: string) => void;
}

export class AccountSession {
  readonly logger: Logger;
  readonly rest: DiscordRest;
  readonly gateway: UserGateway;
  readonly matcher: ReplyMatcher;
  readonly commands: CommandIndex;
  /** Channels configured on this account. */
  readonly channels = new Set<string>();
  private readonly unsubscribe: () => void;
  private closing: Promise<void> | undefined;

  constructor(options: AccountSessionOptions) {
    const masked = maskToken(options.token);
    // `account`, not `discord`: the app logger redacts any `discord` key, even a masked one.
    this.logger = options.logger.child({ account: masked, ...(options.label ? { label: options.label } : {}) });
    this.rest = new DiscordRest({
      apiUrl: options.apiUrl,
      token: options.token,
      logger: this.logger,
      ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
      ...(options.onRateLimited ? { onRateLimited: options.onRateLimited } : {}),
    });
    this.gateway = new UserGateway({
      ...options.gateway,
      identify: identifyPayload(options.token),
      resolveUrl: (signal) => this.rest.gatewayUrl(signal),
      logger: this.logger.child({ component: 'gateway' }),
    });
    this.matcher = new ReplyMatcher(INSIGHTFACESWAP_APPLICATION_ID, () => this.gateway.userId);
    this.commands = new CommandIndex((guildId, signal) => this.rest.commandIndex(guildId, signal));
    let hadSession = false;
    this.unsubscribe = this.gateway.subscribe({
      dispatch: (t, d) => this.matcher.handleDispatch(t, d),
      session: (event) => {
        if (event.kind === 'ready' && hadSession) {
          this.logger.warn('gateway session replaced: replies to commands in flight are looked up in channel history');
          this.matcher.sessionReplaced();
        }
        hadSession = true;
      },
      fatal: (error) => this.matcher.failAll(error),
    });
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Closes the gateway (ending the session), the connection pool and every waiter. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.matcher.failAll(new SessionClosedError('account session closed'));
      this.unsubscribe();
      await this.gateway.close();
      await this.rest.close();
    })();
    return this.closing;
  }
}
