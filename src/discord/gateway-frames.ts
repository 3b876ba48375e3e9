/** Gateway wire helpers: frame decoding and URL query, kept apart from the session logic. */
import type WebSocket from 'ws';
import type { GatewayOpcodes } from './protocol.js';

/** `op` may be a number Discord added later: it then matches no case and is ignored. */
export interface GatewayFrame {
  op: GatewayOpcodes;
  d: unknown;
  s: number | null;
  t: string | null;
}

/** Decodes a JSON text frame; undefined when it is not a gateway frame. */
export function parseFrame(data: WebSocket.RawData): GatewayFrame | undefined {
  try {
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(new Uint8Array(data)).toString('utf8');
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const f = value as { op?: unknown; d?: unknown; s?: unknown; t?: unknown };
    if (typeof f.op !== 'number') return undefined;
    return { op: f.op, d: f.d, s: typeof f.s === 'number' ? f.s : null, t: typeof f.t === 'string' ? f.t : null };
  } catch {
    return undefined;
  }
}

/** The gateway URL with `v=9&encoding=json` (no compression: frames are plain JSON text). */
export function withGatewayQuery(base: string): string {
  const url = new URL(base);
  url.searchParams.set('v', '9');
  url.searchParams.set('encoding', 'json');
  return url.toString();
}

/** The reason an AbortSignal carries, as an Error. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

/** HELLO's heartbeat_interval (Discord's usual value if missing). */
export function heartbeatInterval(d: unknown): number {
  const value = typeof d === 'object' && d !== null ? (d as { heartbeat_interval?: unknown }).heartbeat_interval : undefined;
  return typeof value === 'number' && value > 0 ? value : 41_250;
}

/** The READY fields a user session keeps. */
export interface ReadyFields {
  sessionId: string;
  resumeUrl: string | undefined;
  userId: string;
}

export function readyFields(d: unknown): ReadyFields | undefined {
  if (typeof d !== 'object' || d === null) return undefined;
  const r = d as { session_id?: unknown; resume_gateway_url?: unknown; user?: { id?: unknown } };
  if (typeof r.session_id !== 'string') return undefined;
  return {
    sessionId: r.session_id,
    resumeUrl: typeof r.resume_gateway_url === 'string' ? r.resume_gateway_url : undefined,
    userId: typeof r.user?.id === 'string' ? r.user.id : '',
  };
}
