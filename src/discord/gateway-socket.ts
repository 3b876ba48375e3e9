/**
 * One gateway socket of a user session: made (or by the test seam), its frames, close and errors
 * handed on only while it is the session's current socket, and frames sent only while it is open.
 */
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { parseFrame, type GatewayFrame } from './gateway-frames.js';

export interface SocketHandlers {
  /** False once the session moved on to another socket (or none): its events are then ignored. */
  isCurrent(ws: WebSocket): boolean;
  frame(ws: WebSocket, frame: GatewayFrame | undefined): void;
  close(code: number, reason: string): void;
}

/** Makes the socket and wires it; throws what the constructor throws (a malformed URL). */
export function openGatewaySocket(
  url: string,
  handlers: SocketHandlers,
  logger: Logger,
  createSocket: ((url: string) => WebSocket) | undefined,
): WebSocket {
  const ws = createSocket ? createSocket(url) : new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 15_000 });
  ws.on('message', (data: WebSocket.RawData) => {
    if (handlers.isCurrent(ws)) handlers.frame(ws, parseFrame(data));
  });
  ws.on('close', (code: number, reason: Buffer) => {
    if (handlers.isCurrent(ws)) handlers.close(code, reason.toString('utf8'));
  });
  ws.on('error', (err: Error) => {
    // A 'close' always follows; the reconnect happens there.
    if (handlers.isCurrent(ws)) logger.warn({ err: describe(err) }, 'gateway socket error');
  });
  return ws;
}

/** Sends a frame if the socket is open; a failed send is logged (the heartbeat notices a dead link). */
export function sendFrame(ws: WebSocket, frame: { op: number; d: unknown }, logger: Logger): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  ws.send(JSON.stringify(frame), (err) => {
    if (err) logger.warn({ err: describe(err) }, 'gateway send failed');
  });
}

/** An error's message for the logs (a socket error carries nothing else worth keeping). */
export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
