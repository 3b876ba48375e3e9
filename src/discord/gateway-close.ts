/** What a gateway close code means for the session, and how our side closes sockets. */
import WebSocket from 'ws';
import { GatewayCloseCodes } from './protocol.js';

// A socket close code is any number (1000-range ones too), not only a GatewayCloseCodes member.
const AUTHENTICATION_FAILED: number = GatewayCloseCodes.AuthenticationFailed;

/** The gateway refused the session for good (bad token, invalid version…): no reconnect. */
export class GatewayFatalError extends Error {
  override readonly name = 'GatewayFatalError';
  constructor(
    readonly closeCode: number,
    readonly closeReason: string,
  ) {
    super(`gateway closed with ${closeCode}${closeReason ? ` (${closeReason})` : ''}`);
  }
  get unauthorized(): boolean {
    return this.closeCode === AUTHENTICATION_FAILED;
  }
}

/** The session was closed on our side (disconnect or driver shutdown). */
export class SessionClosedError extends Error {
  override readonly name = 'SessionClosedError';
}

/** Close codes after which reconnecting cannot help. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  GatewayCloseCodes.AuthenticationFailed,
  GatewayCloseCodes.InvalidShard,
  GatewayCloseCodes.ShardingRequired,
  GatewayCloseCodes.InvalidAPIVersion,
  GatewayCloseCodes.InvalidIntents,
  GatewayCloseCodes.DisallowedIntents,
]);

/** Close codes after which the session cannot be resumed (a fresh IDENTIFY is needed). */
export const SESSION_ENDING_CLOSE_CODES: ReadonlySet<number> = new Set([
  1000,
  1001,
  GatewayCloseCodes.InvalidSeq,
  GatewayCloseCodes.SessionTimedOut,
]);

/** Our own close code for "reconnecting, keep the session" (1000/1001 would end it). */
export const RECONNECT_CLOSE_CODE = 4900;

/** Closes a socket and waits for its 'close' (terminating it if the peer does not answer). */
export function closeSocket(ws: WebSocket, code = 1000, reason = 'closing'): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), 1000);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.on('error', () => undefined);
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
  });
}
