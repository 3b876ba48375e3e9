/**
 * One delivery attempt: re-check the URL, resolve its host, validate every address, POST to the
 * validated address, and classify the answer. Never throws: every way an attempt can end is an
 * outcome. The whole attempt (DNS included) is bounded by `timeoutMs`.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { parseRetryAfter } from '../timing/backoff.js';
import type { Clock } from '../timing/clock.js';
import { urlHost, type HostPolicy } from './ssrf-guard.js';
import type { Transport, TransportResponse } from './transport.js';

export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  /** Worth trying again (network error, timeout, 408, 429, 5xx); retryAfterMs from the receiver. */
  | { kind: 'retry'; error: string; retryAfterMs: number | null }
  /** Trying again cannot help (refused address, redirect, other 4xx). */
  | { kind: 'failed'; error: string }
  /** Stopped by shutdown: the attempt does not count. */
  | { kind: 'aborted' };

export type ResolveHost = (host: string) => Promise<string[]>;

/** The system resolver (getaddrinfo, like any client), every address in resolver order. */
export const systemResolveHost: ResolveHost = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export interface AttemptRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Aborted on shutdown. */
  signal: AbortSignal;
  /** Times the attempt (its timeout) and reads Retry-After dates against. */
  clock: Clock;
}

export interface AttemptDeps {
  policy: HostPolicy;
  resolveHost: ResolveHost;
  transport: Transport;
}

/** How each HTTP status ends an attempt, first match wins. */
const STATUS_RULES: readonly { test: (status: number) => boolean; outcome: 'delivered' | 'retry' | 'failed' }[] = [
  { test: (s) => s >= 200 && s < 300, outcome: 'delivered' },
  { test: (s) => s === 408 || s === 429 || s >= 500, outcome: 'retry' },
  { test: () => true, outcome: 'failed' }, // 1xx/3xx/other 4xx: redirects are never followed
];

export async function attemptDelivery(request: AttemptRequest, deps: AttemptDeps): Promise<AttemptOutcome> {
  const refusal = deps.policy.checkUrl(request.url);
  if (refusal !== null) return { kind: 'failed', error: `callback URL ${refusal}` };
  const url = new URL(request.url);
  const host = urlHost(url);

  if (request.signal.aborted) return { kind: 'aborted' };
  const timeout = request.clock.timeoutSignal(request.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout]);
  const ended = (error: unknown): AttemptOutcome => {
    if (request.signal.aborted) return { kind: 'aborted' };
    if (timeout.aborted) return { kind: 'retry', error: `timed out after ${request.timeoutMs} ms`, retryAfterMs: null };
    return { kind: 'retry', error: describeNetworkError(error), retryAfterMs: null };
  };

  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = await untilAborted(deps.resolveHost(host), signal);
    } catch (error) {
      const outcome = ended(error);
      return outcome.kind === 'retry' && !timeout.aborted
        ? { ...outcome, error: `DNS lookup of ${host} failed: ${errorCode(error)}` }
        : outcome;
    }
    if (addresses.length === 0) return { kind: 'retry', error: `DNS lookup of ${host} returned no address`, retryAfterMs: null };
  }
  if (!deps.policy.hostAllowed(host)) {
    for (const address of addresses) {
      const refused = deps.policy.checkAddress(host, address);
      if (refused !== null) return { kind: 'failed', error: `callback URL is refused: ${refused}` };
    }
  }
  const address = addresses[0] as string;
  let response: TransportResponse;
  try {
    response = await deps.transport({ url, address, headers: request.headers, body: request.body, signal });
  } catch (error) {
    return ended(error);
  }
  return classify(response, request.clock.now());
}

function classify(response: TransportResponse, nowMs: number): AttemptOutcome {
  const { status } = response;
  const rule = STATUS_RULES.find((r) => r.test(status));
  const text = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
  switch (rule?.outcome) {
    case 'delivered':
      return { kind: 'delivered', status };
    case 'retry':
      return { kind: 'retry', error: text, retryAfterMs: parseRetryAfter(response.header('retry-after'), nowMs) };
    default: {
      if (status >= 300 && status < 400) {
        const location = response.header('location');
        const to = location ? ` to ${location.slice(0, 200)}` : '';
        return { kind: 'failed', error: `${text}: redirect${to} not followed (redirects are never followed; use the final URL)` };
      }
      return { kind: 'failed', error: text };
    }
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // The reason is not read: an aborted attempt's outcome comes from which signal fired.
    const onAbort = (): void => reject(new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function errorCode(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return String(error);
}

/** "network error: ECONNREFUSED", looking through fetch's `cause` wrapper. */
function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return `network error: ${errorCode(cause)}`;
}
