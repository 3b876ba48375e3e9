/** Shared pieces of the benchmarks: Redis-backed env, cleanup, job submission and waiting. */
import { randomUUID } from 'node:crypto';
import { PICSI_MUTATION, postJson, postMultipart, wsClient } from '../test/helpers/graphql-http.js';
import { deleteKeysWithPrefix } from '../test/helpers/redis-keys.js';
import type { Client } from 'graphql-ws';

export const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export function newPrefix(id: string): string {
  return `bench:${id}:${randomUUID().slice(0, 8)}:`;
}

/** The production shape: Redis coordinator, no credit or queue limits in the way, quiet logs. */
export function benchEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL,
    REDIS_PREFIX: prefix,
    CREDITS_PER_DAY: '1000000000',
    QUEUE_MAX_PER_TOKEN: '100000',
    QUEUE_MAX: '100000',
    WAIT_TIMEOUT_MS: '120000',
    // Measure our overhead, not Discord's pacing: at 50 requests/s per account (2 REST calls a job)
    // zero-delay jobs on one account cannot go faster than 25/s whatever the server does.
    DISCORD_GLOBAL_RATE_LIMIT: '100000',
    // Benchmarks measure the server, not the pacing real accounts need (the server logs that it is off).
    ACCOUNT_MIN_GAP_MS: '0',
    ACCOUNT_JITTER_MS: '0',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** Deletes every key under the prefix. */
export const cleanupRedis = (prefix: string): Promise<number> => deleteKeysWithPrefix(REDIS_URL, prefix);

export interface PicsiFiles {
  source: Buffer;
  target: Buffer;
}

export async function submit(
  url: string,
  files: PicsiFiles,
  input: Record<string, unknown> = {},
  token?: string,
): Promise<{ id: string; status: string }> {
  const res = await postMultipart<{ picsi: { id: string; status: string } }>(
    url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null, ...input } },
    {
      'input.sourceImage': { bytes: files.source, filename: 'source.png', type: 'image/png' },
      'input.targetImage': { bytes: files.target, filename: 'target.png', type: 'image/png' },
    },
    token ? { token } : {},
  );
  if (!res.body.data?.picsi) throw new Error(`picsi failed (${res.status}): ${JSON.stringify(res.body.errors)}`);
  return res.body.data.picsi;
}

export const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/**
 * Resolves with the terminal status of the job, via a jobUpdated subscription on `client`.
 * `leaveCompleteToServer`: on the terminal state, do not send the client's Complete and let the
 * server end the subscription (it does after the terminal state).
 */
export function waitTerminal(
  client: Client,
  id: string,
  timeoutMs = 60_000,
  options: { leaveCompleteToServer?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => finish(new Error(`job ${id} not terminal after ${timeoutMs} ms`)), timeoutMs);
    const finish = (result: string | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // Never disposed from inside its own next(): graphql-ws's client (6.4.2) then releases the
      // subscription twice when the server's Complete is in the same read, its connection count
      // reaches zero, and it closes the socket (1000), ending every other subscription on it
      // without its terminal state. On the next turn, either the server's Complete has arrived
      // (disposing is a no-op) or the client has stopped listening for it.
      if (result instanceof Error || !options.leaveCompleteToServer) setImmediate(unsubscribe);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const unsubscribe = client.subscribe<{ jobUpdated: { status: string } }>(
      { query: 'subscription ($id: ID!) { jobUpdated(id: $id) { status version } }', variables: { id } },
      {
        next: (value) => {
          const status = value.data?.jobUpdated.status;
          if (status && TERMINAL.has(status)) finish(status);
          if (value.errors) finish(new Error(JSON.stringify(value.errors)));
        },
        error: (error) => finish(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => finish(new Error(`subscription of ${id} completed without a terminal state`)),
      },
    );
  });
}

export function openWs(url: string, token?: string): Client {
  return wsClient(url, token, { lazy: false });
}

export async function jobStatus(url: string, id: string, token?: string): Promise<string | undefined> {
  const res = await postJson<{ job: { status: string } }>(url, 'query ($id: ID!) { job(id: $id) { status } }', { id }, token);
  return res.body.data?.job.status;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
