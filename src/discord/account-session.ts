/**
 * Everything one Discord user account (one token) needs: its REST client, its gateway session,
 * the matcher that hands that session's dispatches to the jobs waiting on it, and its cached
 * command index. Several channels (jobs) may share it; its logger shows only the masked token.
 */
import type { Logger } from 'pino';
import type { Clock } from '../timing/clock.js';
import { maskToken } from '../jobs/model.js';
import { identifyPayload } from './client-identity.js';
import { CommandIndex } from './command-index.js';
import { SessionClosedError } from './gateway-close.js';
import WebSocket from 'ws';
import { ForeignCommands, type ForeignCommandEvent } from './foreign-commands.js';
import { INSIGHTFACESWAP_APPLICATION_ID } from './protocol.js';
import { gatewayAgent } from './proxy.js';
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
  /** Every connection of the account goes through it (src/discord/proxy.ts). */
  proxy?: string;
  /** Told of commands in the account's channels that this server did not send (foreign-commands.ts). */
  onForeignCommand?: (event: ForeignCommandEvent) => void;
  /** The gateway's timers (default the system clock). */
  clock?: Clock;
}

export class AccountSession {
  readonly logger: Logger;
  readonly rest: DiscordRest;
  readonly gateway: UserGateway;
  readonly matcher: ReplyMatcher;
  readonly commands: CommandIndex;
  /** Channels configured on this account. */
  readonly channels = new Set<string>();
  readonly proxy: string | undefined;
  private readonly unsubscribe: () => void;
  private closing: Promise<void> | undefined;

  constructor(options: AccountSessionOptions) {
    const masked = maskToken(options.token);
    // `account`, not `discord`: the app logger redacts any `discord` key, even a masked one.
    this.logger = options.logger.child({ account: masked, ...(options.label ? { label: options.label } : {}) });
    this.proxy = options.proxy;
    this.rest = new DiscordRest({
      apiUrl: options.apiUrl,
      token: options.token,
      logger: this.logger,
      ...(options.proxy ? { proxy: options.proxy } : {}),
      ...(options.globalRequestsPerSecond ? { globalRequestsPerSecond: options.globalRequestsPerSecond } : {}),
      ...(options.onRateLimited ? { onRateLimited: options.onRateLimited } : {}),
    });
    const agent = gatewayAgent(options.proxy);
    this.gateway = new UserGateway({
      ...options.gateway,
      ...(agent
        ? { createSocket: (url: string) => new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 15_000, agent }) }
        : {}),
      identify: identifyPayload(options.token),
      resolveUrl: (signal) => this.rest.gatewayUrl(signal),
      logger: this.logger.child({ component: 'gateway' }),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    this.matcher = new ReplyMatcher(INSIGHTFACESWAP_APPLICATION_ID, () => this.gateway.userId);
    this.commands = new CommandIndex((guildId, signal) => this.rest.commandIndex(guildId, signal));
    const foreign = new ForeignCommands({
      applicationId: INSIGHTFACESWAP_APPLICATION_ID,
      channels: this.channels,
      oursWaitIn: (channel) => this.matcher.waitsIn(channel),
      report: (event) => options.onForeignCommand?.(event),
    });
    let hadSession = false;
    this.unsubscribe = this.gateway.subscribe({
      dispatch: (t, d) => {
        this.matcher.handleDispatch(t, d);
        foreign.handleDispatch(t, d);
      },
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
