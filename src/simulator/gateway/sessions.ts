import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type {
  GatewayChannelCreateDispatchData,
  GatewayGuildCreateDispatchData,
  GatewayMessageCreateDispatchData,
  GatewayMessageUpdateDispatchData,
  GatewayReadyDispatchData,
} from 'discord-api-types/v10';
import { GatewayCloseCodes, GatewayOpcodes } from 'discord-api-types/v10';
import type { DispatchFrame, InteractionEventData, InteractionFailureEventData, UserReadyData } from '../wire.js';

/** Every dispatch the simulator sends, with its payload type: tsc checks each call site. */
export interface SimDispatchMap {
  READY: GatewayReadyDispatchData | UserReadyData;
  RESUMED: Record<string, never>;
  GUILD_CREATE: GatewayGuildCreateDispatchData;
  CHANNEL_CREATE: GatewayChannelCreateDispatchData;
  MESSAGE_CREATE: GatewayMessageCreateDispatchData;
  MESSAGE_UPDATE: GatewayMessageUpdateDispatchData;
  INTERACTION_CREATE: InteractionEventData;
  INTERACTION_SUCCESS: InteractionEventData;
  INTERACTION_FAILURE: InteractionFailureEventData;
}
export type SimDispatchName = keyof SimDispatchMap;

/** The socket a session is attached to, seen from the session. */
export interface GatewayLink {
  send(frame: object): void;
  close(code: number, reason: string): void;
}

export type SessionKind = 'user' | 'bot';

/** Dispatches kept for RESUME; older ones are gone and force a fresh IDENTIFY. */
const REPLAY_BUFFER = 1000;
/** How long a session without a socket stays resumable (Discord does not document it). */
const RESUME_WINDOW_MS = 5 * 60 * 1000;

/**
 * A gateway session: outlives its socket so a client can RESUME and get what it missed.
 * Every dispatch is numbered and buffered whether or not a socket is attached.
 */
export class GatewaySession {
  readonly id = randomBytes(16).toString('hex');
  seq = 0;
  invalidated = false;
  /** performance.now() when the session lost its socket; undefined while attached. */
  detachedAt: number | undefined;
  private link: GatewayLink | null = null;
  private readonly buffer: DispatchFrame[] = [];

  constructor(
    readonly kind: SessionKind,
    readonly token: string,
    readonly userId: string,
    readonly intents: number,
  ) {}

  get connected(): boolean {
    return this.link !== null;
  }

  attach(link: GatewayLink): void {
    this.link = link;
    this.detachedAt = undefined;
  }

  /** Forgets the socket without closing it (it closed, or another socket resumed). */
  detach(link: GatewayLink): void {
    if (this.link !== link) return;
    this.link = null;
    this.detachedAt = performance.now();
  }

  /** Closes the attached socket; later dispatches are buffered for a RESUME. */
  drop(code: number, reason: string): void {
    const link = this.link;
    if (!link) return;
    this.detach(link);
    link.close(code, reason);
  }

  dispatch<K extends SimDispatchName>(t: K, d: SimDispatchMap[K]): void {
    if (this.invalidated) return;
    const frame: DispatchFrame<K, SimDispatchMap[K]> = { op: GatewayOpcodes.Dispatch, t, s: ++this.seq, d };
    this.buffer.push(frame);
    if (this.buffer.length > REPLAY_BUFFER) this.buffer.shift();
    this.link?.send(frame);
  }

  /** Frames after `seq`, or undefined when some of them are no longer buffered. */
  replayAfter(seq: number): DispatchFrame[] | undefined {
    const oldest = this.buffer[0]?.s ?? this.seq + 1;
    if (seq + 1 < oldest) return undefined;
    return this.buffer.filter((f) => f.s > seq);
  }
}

export class SessionRegistry {
  private readonly sessions = new Map<string, GatewaySession>();

  create(kind: SessionKind, token: string, userId: string, intents: number): GatewaySession {
    this.pruneExpired();
    const session = new GatewaySession(kind, token, userId, intents);
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string): GatewaySession | undefined {
    return this.sessions.get(id);
  }

  /** Sessions that may still receive events (attached or resumable). */
  live(): GatewaySession[] {
    return [...this.sessions.values()].filter((s) => !s.invalidated);
  }

  invalidate(session: GatewaySession): void {
    session.invalidated = true;
    this.sessions.delete(session.id);
  }

  private pruneExpired(): void {
    const cutoff = performance.now() - RESUME_WINDOW_MS;
    for (const session of this.sessions.values()) {
      if (session.detachedAt !== undefined && session.detachedAt < cutoff) this.invalidate(session);
    }
  }

  /** Closes a session's socket: resumable keeps its events for RESUME, else it is invalidated. */
  drop(session: GatewaySession, resumable: boolean): void {
    if (resumable) {
      session.drop(GatewayCloseCodes.UnknownError, 'Simulated gateway drop');
    } else {
      this.invalidate(session);
      session.drop(GatewayCloseCodes.SessionTimedOut, 'Simulated gateway drop (session invalidated)');
    }
  }
}
