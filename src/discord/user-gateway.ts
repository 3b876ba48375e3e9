/**
 * A user account's gateway session (docs/discord-protocol.md): IDENTIFY as a user (no intents),
 * heartbeat with jitter and the last sequence, zombie detection, RESUME at `resume_gateway_url`,
 * re-IDENTIFY when the session is gone, reconnect with backoff. Socket errors never escape: they end in a
 * reconnect or, for fatal close codes (4004…), in `failed`.
 *
 * One state machine over one socket at a time, so it stays one class (about 330 lines; its states
 * and transitions read best together): what it remembers to resume (gateway-session.ts),
 * the socket itself (gateway-socket.ts), the heartbeat (heartbeat.ts), reconnect timing
 * (reconnect-timer.ts), its listeners (gateway-listeners.ts), ready waiters and frame parsing live
 * in modules of their own.
 */
import type WebSocket from 'ws';
import type { Logger } from 'pino';
import { systemClock, type Clock, type ClockTimer } from '../timing/clock.js';
import { GatewayOpcodes } from './protocol.js';
import type { UserGatewayIdentifyData } from './protocol.js';
import {
  FATAL_CLOSE_CODES,
  GatewayFatalError,
  RECONNECT_CLOSE_CODE,
  SESSION_ENDING_CLOSE_CODES,
  SessionClosedError,
  closeSocket,
} from './gateway-close.js';
import { heartbeatInterval, readyFields, withGatewayQuery } from './gateway-frames.js';
import type { GatewayFrame } from './gateway-frames.js';
import { GatewayListeners, type GatewayListener, type SessionEvent } from './gateway-listeners.js';
import { GatewaySession } from './gateway-session.js';
import { describe, openGatewaySocket, sendFrame } from './gateway-socket.js';
import { Heartbeat } from './heartbeat.js';
import { ReadyWaiters } from './ready-waiters.js';
import { DEFAULT_RECONNECT_POLICY, ReconnectTimer, type ReconnectPolicy } from './reconnect-timer.js';

export { GatewayFatalError };
export type { GatewayListener, ReconnectPolicy, SessionEvent };

export type GatewayState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'failed' | 'closed';

export interface UserGatewayOptions {
  /** IDENTIFY `d` (holds the token: never logged). */
  identify: UserGatewayIdentifyData;
  /** The gateway URL for a fresh IDENTIFY (GET /gateway). */
  resolveUrl: (signal: AbortSignal) => Promise<string>;
  logger: Logger;
  random?: () => number;
  reconnect?: ReconnectPolicy;
  /** Wait before re-IDENTIFY after op 9 (Discord asks for 1–5 s). */
  invalidSessionDelayMs?: { min: number; max: number };
  /** Close a socket that has not reached READY/RESUMED within this time. */
  handshakeTimeoutMs?: number;
  /** Test seam: how sockets are made. */
  createSocket?: (url: string) => WebSocket;
  /** Told of every reconnect this session schedules after its socket dropped (metrics). */
  onReconnect?: () => void;
  /** Heartbeats, handshake timeout and reconnect backoff (default the system clock). */
  clock?: Clock;
}

export class UserGateway {
  private stateValue: GatewayState = 'idle';
  private ws: WebSocket | undefined;
  private readonly session = new GatewaySession();
  private readonly heartbeat: Heartbeat;
  private readonly reconnects: ReconnectTimer;
  private handshakeTimer: ClockTimer | undefined;
  private urlController: AbortController | undefined;
  private fatalError: GatewayFatalError | undefined;
  private closed: Promise<void> | undefined;
  private readonly listeners = new GatewayListeners();
  /** Sockets we closed and no longer listen to; close() waits for them too. */
  private readonly dying = new Set<WebSocket>();
  private readonly readyWaiters = new ReadyWaiters();
  private readonly random: () => number;
  private readonly clock: Clock;

  constructor(private readonly options: UserGatewayOptions) {
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? systemClock;
    this.heartbeat = new Heartbeat(this.clock);
    this.reconnects = new ReconnectTimer(options.reconnect ?? DEFAULT_RECONNECT_POLICY, this.random, this.clock);
  }

  get state(): GatewayState {
    return this.stateValue;
  }
  get ready(): boolean {
    return this.stateValue === 'ready';
  }
  /** The current session's id (valid for /interactions while `ready`). */
  get currentSessionId(): string | undefined {
    return this.session.sessionId;
  }
  get userId(): string | undefined {
    return this.session.userId;
  }

  subscribe(listener: GatewayListener): () => void {
    return this.listeners.subscribe(listener);
  }

  /** Starts connecting if not yet started. */
  start(): void {
    if (this.stateValue !== 'idle') return;
    this.stateValue = 'connecting';
    this.connect();
  }

  /** Resolves with the session id once READY/RESUMED; rejects on a fatal close, close() or abort. */
  waitReady(signal: AbortSignal): Promise<string> {
    this.start();
    if (this.stateValue === 'ready' && this.session.sessionId) return Promise.resolve(this.session.sessionId);
    if (this.fatalError) return Promise.reject(this.fatalError);
    if (this.stateValue === 'closed') return Promise.reject(new SessionClosedError('gateway closed'));
    return this.readyWaiters.wait(signal);
  }

  /** Ends the session (close 1000) and every timer; resolves once the socket is closed. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.stateValue = 'closed';
      this.clearTimers();
      this.urlController?.abort();
      this.readyWaiters.rejectAll(new SessionClosedError('gateway closed'));
      const sockets = [...this.dying, ...(this.ws ? [this.ws] : [])];
      this.ws = undefined;
      this.dying.clear();
      await Promise.all(sockets.map((ws) => closeSocket(ws)));
    })();
    return this.closed;
  }

  /** Pending waitReady calls (for leak checks). */
  get waiterCount(): number {
    return this.readyWaiters.size;
  }

  /** open() handles its expected failures; anything else it throws is logged and retried like them. */
  private connect(): void {
    this.open().catch((err: unknown) => {
      if (this.stateValue === 'closed') return;
      this.options.logger.warn({ err: describe(err) }, 'gateway connect failed');
      this.scheduleReconnect();
    });
  }

  private async open(): Promise<void> {
    const resuming = this.session.canResume();
    let base: string;
    if (resuming && this.session.resumeUrl) {
      base = this.session.resumeUrl;
    } else {
      this.urlController = new AbortController();
      try {
        base = await this.options.resolveUrl(this.urlController.signal);
      } catch (err) {
        if (this.stateValue === 'closed') return;
        this.options.logger.warn({ err: describe(err) }, 'gateway url lookup failed');
        this.scheduleReconnect();
        return;
      } finally {
        this.urlController = undefined;
      }
    }
    if (this.stateValue === 'closed') return;
    const url = withGatewayQuery(base);
    this.options.logger.debug({ url, resuming }, 'gateway connecting');
    let ws: WebSocket;
    try {
      ws = openGatewaySocket(
        url,
        {
          isCurrent: (socket) => socket === this.ws,
          frame: (socket, frame) => this.onFrame(socket, frame, resuming),
          close: (code, reason) => this.onClose(code, reason),
        },
        this.options.logger,
        this.options.createSocket,
      );
    } catch (err) {
      this.options.logger.warn({ err: describe(err) }, 'gateway socket could not be created');
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.handshakeTimer = this.clock.setTimeout(() => {
      this.options.logger.warn('gateway handshake timed out');
      ws.terminate();
    }, this.options.handshakeTimeoutMs ?? 30_000);
  }

  private onFrame(ws: WebSocket, frame: GatewayFrame | undefined, resuming: boolean): void {
    if (!frame) {
      this.options.logger.warn('gateway sent an undecodable frame');
      return;
    }
    switch (frame.op) {
      case GatewayOpcodes.Hello: {
        const interval = heartbeatInterval(frame.d);
        this.startHeartbeat(ws, interval);
        const resume = resuming ? this.session.resumeData(this.options.identify.token) : null;
        if (resume) {
          this.send(ws, { op: GatewayOpcodes.Resume, d: resume });
        } else {
          this.send(ws, { op: GatewayOpcodes.Identify, d: this.options.identify });
        }
        return;
      }
      case GatewayOpcodes.HeartbeatAck:
        this.heartbeat.ack();
        return;
      case GatewayOpcodes.Heartbeat:
        this.send(ws, { op: GatewayOpcodes.Heartbeat, d: this.session.seq });
        return;
      case GatewayOpcodes.Reconnect:
        this.options.logger.info('gateway asked to reconnect');
        ws.close(RECONNECT_CLOSE_CODE, 'reconnect requested');
        return;
      case GatewayOpcodes.InvalidSession:
        this.onInvalidSession(ws, frame.d === true);
        return;
      case GatewayOpcodes.Dispatch:
        if (typeof frame.s === 'number') this.session.noteSeq(frame.s);
        if (frame.t) this.onDispatch(frame.t, frame.d);
        return;
      default:
        return;
    }
  }

  private onDispatch(t: string, d: unknown): void {
    if (t === 'READY') {
      const ready = readyFields(d);
      if (!ready) {
        this.options.logger.error('gateway READY without session_id');
        return;
      }
      this.session.ready(ready);
      this.becomeReady('ready');
    }
    this.listeners.dispatch(t, d);
    if (t === 'RESUMED') this.becomeReady('resumed');
  }

  private becomeReady(kind: SessionEvent['kind']): void {
    this.clock.clearTimeout(this.handshakeTimer);
    this.stateValue = 'ready';
    this.reconnects.reset();
    const sessionId = this.session.sessionId ?? '';
    this.options.logger.info(
      { kind, session: sessionId.slice(0, 8) },
      kind === 'ready' ? 'gateway session ready' : 'gateway session resumed',
    );
    this.readyWaiters.resolveAll(sessionId);
    const event: SessionEvent = { kind, sessionId, userId: this.session.userId ?? '' };
    this.listeners.session(event);
  }

  private onInvalidSession(ws: WebSocket, resumable: boolean): void {
    this.options.logger.info({ resumable }, 'gateway session invalidated');
    if (!resumable) this.session.forget();
    const { min, max } = this.options.invalidSessionDelayMs ?? { min: 1000, max: 5000 };
    this.reconnects.cancel();
    // Detach first so the close below does not schedule a second reconnect.
    this.detach(ws);
    this.retire(ws);
    this.listeners.lost(RECONNECT_CLOSE_CODE, 'invalid session');
    this.stateValue = 'reconnecting';
    this.options.onReconnect?.();
    this.reconnects.run(min + this.random() * Math.max(0, max - min), () => this.connect());
  }

  private onClose(code: number, reason: string): void {
    const ws = this.ws;
    if (ws) this.detach(ws);
    if (this.stateValue === 'closed') return;
    this.options.logger.warn({ code, reason }, 'gateway connection closed');
    if (FATAL_CLOSE_CODES.has(code)) {
      const error = new GatewayFatalError(code, reason);
      this.fatalError = error;
      this.stateValue = 'failed';
      this.session.forget();
      this.readyWaiters.rejectAll(error);
      this.listeners.lost(code, reason);
      this.listeners.fatal(error);
      return;
    }
    if (SESSION_ENDING_CLOSE_CODES.has(code)) this.session.forget();
    this.listeners.lost(code, reason);
    this.scheduleReconnect();
  }

  private detach(ws: WebSocket): void {
    if (this.ws === ws) this.ws = undefined;
    this.heartbeat.stop();
    this.clock.clearTimeout(this.handshakeTimer);
  }

  /** Closes a socket we stopped listening to, and keeps it until it is really closed. */
  private retire(ws: WebSocket): void {
    this.dying.add(ws);
    closeSocket(ws, RECONNECT_CLOSE_CODE, 'invalid session')
      .then(() => this.dying.delete(ws))
      .catch((err: unknown) => this.options.logger.warn({ err: describe(err) }, 'gateway socket close failed'));
  }

  private scheduleReconnect(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'failed') return;
    this.stateValue = 'reconnecting';
    const { attempt, delayMs } = this.reconnects.nextBackoff();
    this.options.logger.debug({ attempt, delay: Math.round(delayMs) }, 'gateway reconnect scheduled');
    this.options.onReconnect?.();
    this.reconnects.run(delayMs, () => this.connect());
  }

  private startHeartbeat(ws: WebSocket, interval: number): void {
    this.heartbeat.start({
      interval,
      random: this.random,
      beat: () => this.send(ws, { op: GatewayOpcodes.Heartbeat, d: this.session.seq }),
      onZombie: () => {
        // No ACK since the last beat: the connection is a zombie. Drop it and resume.
        this.options.logger.warn('gateway heartbeat not acknowledged; reconnecting');
        ws.terminate();
      },
    });
  }

  private send(ws: WebSocket, frame: { op: number; d: unknown }): void {
    sendFrame(ws, frame, this.options.logger);
  }

  private clearTimers(): void {
    this.heartbeat.stop();
    this.reconnects.cancel();
    this.clock.clearTimeout(this.handshakeTimer);
  }
}
