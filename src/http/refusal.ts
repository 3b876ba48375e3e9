/**
 * Refusing a request whose body is still arriving (an upload without a token, without the CSRF
 * header, with too many files…). Answering at once and closing made clients that were still
 * writing see EPIPE or "fetch failed" instead of the answer, so the rest of the body is read and
 * discarded first, within a byte limit and a deadline; past either, the answer goes out and the
 * connection closes. A client that stops sending (one waiting for the answer before its body) gets
 * it after a short pause. Nothing read here is stored.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ErrorCode } from '../errors.js';
import { systemClock, type Clock } from '../timing/clock.js';
import { logClientError } from './error-log.js';
import { maxRequestBytes } from './multipart.js';
import { errorBody, sendJson } from './respond.js';

export interface Refusal {
  status: number;
  code: ErrorCode;
  message: string;
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
  /** The answer's body; unset: the GraphQL error body of `code` and `message`. */
  body?: unknown;
  /** false: no CORS headers, so a refused foreign page cannot read the answer. */
  cors?: false;
}

export interface DrainLimits {
  /** Bytes of body that will be read and thrown away at most. */
  maxBytes: number;
  deadlineMs: number;
  /** A pause in the body this long ends the wait: the client is not writing. */
  idleMs: number;
  /** Runs the deadline and the pause's timer. */
  clock: Clock;
}

/** How long a refused upload may take to finish sending its body, and pause, before the answer. */
export const REFUSED_BODY_LIMITS = { deadlineMs: 5000, idleMs: 1000 } as const;

/** The drain limits for a server with these upload limits: at most the largest body an upload may have. */
export const drainLimitsOf = (uploads: Config['uploads'], clock: Clock = systemClock): DrainLimits => ({
  maxBytes: maxRequestBytes(uploads),
  ...REFUSED_BODY_LIMITS,
  clock,
});

export async function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  refusal: Refusal,
  limits: DrainLimits,
  logger: Logger,
): Promise<void> {
  logClientError(logger, { code: refusal.code, message: refusal.message, status: refusal.status });
  const drained = await discardBody(req, limits);
  if (res.writableEnded || res.destroyed) return;
  const body = refusal.body ?? errorBody(refusal.code, refusal.message, refusal.extensions);
  const headers = { ...refusal.headers, ...(drained ? {} : { connection: 'close' }) };
  sendJson(req, res, refusal.status, body, headers, { cors: refusal.cors ?? true });
}

/** Resolves true once the whole body was read, false when a limit was hit or the client went away. */
function discardBody(req: IncomingMessage, { maxBytes, deadlineMs, idleMs, clock }: DrainLimits): Promise<boolean> {
  if (req.readableEnded) return Promise.resolve(true);
  if (req.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let read = 0;
    const settle = (drained: boolean) => {
      clock.clearTimeout(timer);
      clock.clearTimeout(idle);
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      if (!drained) req.pause();
      resolve(drained);
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > maxBytes) return settle(false);
      clock.clearTimeout(idle);
      idle = clock.setTimeout(() => settle(false), idleMs);
    };
    const onEnd = () => settle(true);
    const onClose = () => settle(req.readableEnded);
    const timer = clock.setTimeout(() => settle(false), deadlineMs);
    let idle = clock.setTimeout(() => settle(false), idleMs);
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
    req.unpipe();
    req.resume();
  });
}
