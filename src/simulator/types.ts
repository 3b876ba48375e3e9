import type { Logger } from 'pino';
import type { BotErrorKind, Plan } from './bot/insightfaceswap.js';

export type { BotErrorKind, Plan };
export type { IdentitySnapshot } from './state/identities.js';

export interface SimulatedAccount {
  /** Raw user token, sent as `Authorization: <token>` (no prefix). */
  token: string;
  guildId: string;
  channelId: string;
  /** The user's snowflake; derived once per token when omitted. */
  userId?: string;
  /** Credits per UTC day for this user (default 50). Shared by every channel of one token. */
  credits?: number;
  /** The bot's plan for this user (default basic): GIF frame limit and cost. */
  plan?: Plan;
}

export type BotBehaviour =
  | { kind: 'success'; delayMs?: number }
  | { kind: 'botError'; error: BotErrorKind; delayMs?: number }
  /** 429 on POST /interactions with Discord's body; the command is not run. */
  | { kind: 'rateLimit'; retryAfterSeconds: number }
  /** 204, INTERACTION_CREATE, then INTERACTION_FAILURE {reason_code: 2}; no message. */
  | { kind: 'interactionFailure' }
  /**
   * 204, INTERACTION_CREATE, INTERACTION_SUCCESS and (unless `placeholder: false`) the LOADING
   * placeholder; the bot never finishes. Counts in flight for `holdMs` (default 0).
   */
  | { kind: 'silence'; holdMs?: number; placeholder?: boolean }
  /**
   * Closes the invoking session's socket right after the LOADING placeholder: 4000 (resumable,
   * default) or 4009 (session invalidated). The final MESSAGE_UPDATE is still produced; a resumed
   * session gets it replayed, an invalidated one can only find it with GET messages.
   */
  | { kind: 'dropGatewayMidJob'; resumable?: boolean; delayMs?: number }
  /** Bumps the command version first, so this POST fails with 50035 (invalid version). */
  | { kind: 'staleCommandVersion' }
  /** The bot answers with a warning that restricts the account (a moderation hold), like an error reply. */
  | { kind: 'accountWarning'; delayMs?: number };

export interface SimulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Delay between the LOADING placeholder and the final reply. Default 3000; tests pass 0. */
  botDelayMs?: number;
  /** Each attachment upload and CDN download at most this many Mbit/s (SIMULATOR_LINK_MBPS; http/link.ts). Default 0: no limit. */
  linkMbps?: number;
  accounts?: SimulatedAccount[];
  /** Default: silent. */
  logger?: Logger;
  /** HELLO heartbeat_interval. Default 41250 like Discord. */
  heartbeatIntervalMs?: number;
  /** Lifetime of signed CDN URLs. Default 24 h. */
  cdnUrlTtlMs?: number;
  /** Wall clock (ms since epoch) for snowflakes, timestamps, CDN expiry and credit days. */
  now?: () => number;
  /** Names /picsi declares its options under, as after a bot update (default: PICSI.optionNames). */
  picsiOptionNames?: Partial<Record<'source' | 'target' | 'options', string>>;
}

/**
 * In flight: from the moment POST /interactions is accepted (204) until the bot's final reply
 * (MESSAGE_UPDATE) or INTERACTION_FAILURE is dispatched; a `silence` job holds for `holdMs`.
 */
export interface ChannelStats {
  inFlight: number;
  maxInFlight: number;
  /** Accepted interactions (204). Rejected and rate-limited requests do not count. */
  interactions: number;
  /** Interactions that ended with a final reply (result or bot error) or INTERACTION_FAILURE. */
  completed: number;
}

export interface RecordedRequest {
  /** `performance.now()` when the request arrived (monotonic ms, same origin as the process). */
  at: number;
  method: string;
  /** Path without the query string; gateway upgrades are recorded as GET with status 101. */
  path: string;
  channelId?: string;
  status: number;
  /** The address the request came from (a client behind a proxy shows the proxy's). */
  remoteAddress?: string;
  /** The user whose token authenticated it. */
  userId?: string;
}

/** A user session that identified on the gateway, and where its socket came from. */
export interface GatewayIdentification {
  userId: string;
  remoteAddress?: string;
}

/** `text`: a text-only answer (/listid, /setid, /delid, /delall). */
export type InteractionOutcome = 'result' | 'text' | 'botError' | 'interactionFailure' | 'silence';

export interface InteractionLogEntry {
  /** `performance.now()` when the interaction was accepted. */
  at: number;
  channelId: string;
  nonce: string;
  interactionId: string;
  /** `performance.now()` when it left the in-flight set (absent while in flight). */
  endedAt?: number;
  outcome?: InteractionOutcome;
}

export interface Credits {
  total: number;
  used: number;
}
