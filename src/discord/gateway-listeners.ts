/** Who hears a user gateway's session: its dispatches, session starts, drops and a fatal end. */
import type { GatewayFatalError } from './gateway-close.js';

/** A new session (READY) or the same one continued (RESUMED: missed dispatches were replayed). */
export interface SessionEvent {
  kind: 'ready' | 'resumed';
  sessionId: string;
  userId: string;
}

export interface GatewayListener {
  dispatch?(t: string, d: unknown): void;
  session?(event: SessionEvent): void;
  /** The socket closed; a reconnect follows unless `fatal` is also reported. */
  lost?(info: { code: number; reason: string }): void;
  fatal?(error: GatewayFatalError): void;
}

/** Tells every listener in turn; one that unsubscribes while being told does not disturb the rest. */
export class GatewayListeners {
  private readonly listeners = new Set<GatewayListener>();

  subscribe(listener: GatewayListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispatch(t: string, d: unknown): void {
    for (const l of [...this.listeners]) l.dispatch?.(t, d);
  }

  session(event: SessionEvent): void {
    for (const l of [...this.listeners]) l.session?.(event);
  }

  lost(code: number, reason: string): void {
    for (const l of [...this.listeners]) l.lost?.({ code, reason });
  }

  fatal(error: GatewayFatalError): void {
    for (const l of [...this.listeners]) l.fatal?.(error);
  }
}
