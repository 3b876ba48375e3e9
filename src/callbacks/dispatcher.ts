/**
 * The callback dispatcher: runs the due attempts of delivery tasks in the background with bounded
 * concurrency, so no receiver can hold up a job or another delivery. It never creates tasks: the
 * executor's store writes a job's task in the same atomic step as its terminal state (see
 * src/executor/coordinator.ts), so a crash between the two cannot lose a callback.
 *
 * Per task: [claim attempt → POST → publish the result → commit it, scheduling a retry] until
 * DELIVERED or FAILED. Publishing before committing keeps the job's callback state in attempt order
 * across instances: the next attempt cannot be claimed before the previous result is on the job.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { CallbackState, Job } from '../jobs/model.js';
import type { CallbackOutcome } from '../metrics/instrumentation.js';
import { retryDelayMs, type BackoffPolicy } from '../timing/backoff.js';
import { attemptDelivery, systemResolveHost, type ResolveHost } from './delivery.js';
import { createSigner, webhookId } from './signing.js';
import { createHostPolicy } from './ssrf-guard.js';
import type { CallbackStore, ClaimedAttempt } from './store.js';
import { fetchTransport, pinnedTransport } from './transport.js';

/** What the dispatcher needs from the job service (implemented there at integration time). */
export interface CallbackJobAccess {
  get(id: string): Promise<Job | null>;
  /** Stores the job's callback state: bumps the job's version and publishes the change. */
  setCallbackState(id: string, state: CallbackState): Promise<void>;
}

export interface CallbackDispatcherDeps {
  config: Config['callbacks'];
  /** Where tasks live: the Redis store (src/callbacks/redis-store.ts) or the in-process one shared with the embedded coordinator. */
  store: CallbackStore;
  jobs: CallbackJobAccess;
  logger: Logger;
  /** Send through this fetch instead of the pinned node:http transport (the connection is then not pinned). */
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
  resolveHost?: ResolveHost;
  /** How often due attempts are looked for (a new task and a freed slot also trigger a look). Default 1000. */
  pollIntervalMs?: number;
  /** Attempts in flight at once on this instance. Default 16. */
  concurrency?: number;
  backoff?: Partial<BackoffPolicy>;
  /** A claimed attempt's lease is timeoutMs + this; after it, another instance may retry. Default 15000. */
  leaseMarginMs?: number;
  /** Names this instance in lease tokens. Default: random. */
  instanceId?: string;
  /** Told the outcome of every attempt this instance made (src/metrics). */
  onOutcome?: (outcome: CallbackOutcome) => void;
}

export interface CallbackDispatcher {
  /** picsi-time guard: throws AppError BAD_USER_INPUT when the URL is refused (no DNS here; delivery re-checks). */
  checkUrl(url: string): Promise<void>;
  /** A hint that a task may be due now (a job ended on this instance); tasks are found without it too. */
  wake(): void;
  /** Starts delivering due attempts. */
  start(): void;
  /** Stops; in-flight attempts are aborted and handed back (not counted); tasks stay stored for the next start. */
  close(): Promise<void>;
}

const USER_AGENT = 'picsi-graphql';

/** A failed delivery: full jitter from 1 s up to 5 min; a receiver's Retry-After is honoured up to an hour. */
const DELIVERY_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000, maxRetryAfterMs: 60 * 60_000 };

/** For logs: the URL's host only (its path or query may carry the receiver's secrets). */
const hostOf = (url: string): string => (URL.canParse(url) ? new URL(url).host : '(invalid URL)');

export function createCallbackDispatcher(deps: CallbackDispatcherDeps): CallbackDispatcher {
  const { config, jobs } = deps;
  const log = deps.logger.child({ module: 'callbacks' });
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const pollIntervalMs = deps.pollIntervalMs ?? 1_000;
  const concurrency = deps.concurrency ?? 16;
  const backoff: BackoffPolicy = { ...DELIVERY_BACKOFF, ...deps.backoff };
  const leaseMs = config.timeoutMs + (deps.leaseMarginMs ?? 15_000);
  const tokenBase = deps.instanceId ?? randomUUID();
  const onOutcome = deps.onOutcome ?? (() => {});

  const policy = createHostPolicy(config.allowHosts);
  const signer = createSigner(config.secret);
  const { store } = deps;
  const attemptDeps = {
    policy,
    resolveHost: deps.resolveHost ?? systemResolveHost,
    transport: deps.fetch ? fetchTransport(deps.fetch) : pinnedTransport,
  };

  if (!signer.signing) log.warn('CALLBACK_SECRET is not set: callbacks are sent unsigned (webhook-id and webhook-timestamp only)');
  if (config.defaultUrl !== null) {
    const refusal = policy.checkUrl(config.defaultUrl);
    if (refusal !== null) log.warn(`CALLBACK_DEFAULT_URL ${refusal}: callbacks to it will fail`);
  }

  let started = false;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  let tickAgain = false;
  const inflight = new Set<Promise<void>>();
  const shutdown = new AbortController();

  const scheduleTick = (delayMs: number) => {
    if (!started || closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      ticking = tick().finally(() => {
        ticking = null;
        scheduleTick(tickAgain ? 0 : pollIntervalMs);
        tickAgain = false;
      });
    }, delayMs);
  };
  const wake = () => {
    if (ticking) tickAgain = true;
    else scheduleTick(0);
  };

  async function tick(): Promise<void> {
    const free = concurrency - inflight.size;
    if (free <= 0) return;
    const at = now();
    let claimed: ClaimedAttempt[];
    try {
      claimed = await store.claimDue(at, at + leaseMs, free, tokenBase);
    } catch (error) {
      log.error({ err: error }, 'claiming due callback attempts failed');
      return;
    }
    for (const attempt of claimed) {
      const run = (closed ? handBack(attempt) : runAttempt(attempt))
        .catch((error: unknown) => log.error({ err: error, jobId: attempt.jobId }, 'callback attempt failed unexpectedly'))
        .finally(() => {
          inflight.delete(run);
          wake();
        });
      inflight.add(run);
    }
  }

  /** Records the result on the job, then in the store (in that order: see the file comment). */
  async function record(attempt: ClaimedAttempt, state: CallbackState, nextAt: number | null, publish = true): Promise<void> {
    if (publish) {
      try {
        await jobs.setCallbackState(attempt.jobId, state);
      } catch (error) {
        log.warn({ err: error, jobId: attempt.jobId }, 'could not store the callback state on the job');
      }
    }
    if (!(await store.commit(attempt.jobId, attempt.token, state, nextAt))) {
      log.warn({ jobId: attempt.jobId, attempt: attempt.attempt }, 'callback attempt outlived its lease: its result was not recorded');
    }
  }

  /** An attempt that did not happen (shutdown): give it back, uncounted, due at once. */
  const handBack = (attempt: ClaimedAttempt) =>
    record(attempt, { status: 'PENDING', attempts: attempt.attempt - 1, lastError: attempt.lastError, deliveredAt: null }, now(), false);

  async function runAttempt(attempt: ClaimedAttempt): Promise<void> {
    const { jobId } = attempt;
    const fields = { jobId, attempt: attempt.attempt, host: hostOf(attempt.url) };
    if (attempt.attempt > config.maxAttempts) {
      // Only after an instance died during the last allowed attempt and its lease ran out.
      onOutcome('exhausted');
      const lastError = `gave up after ${config.maxAttempts} attempts (the last one was interrupted before its result was recorded)`;
      return record(attempt, { status: 'FAILED', attempts: config.maxAttempts, lastError, deliveredAt: null }, null);
    }
    if ((await jobs.get(jobId)) === null) {
      log.warn(fields, 'job no longer exists: callback dropped');
      return record(
        attempt,
        { status: 'FAILED', attempts: attempt.attempt, lastError: 'job no longer exists', deliveredAt: null },
        null,
        false,
      );
    }

    const headers = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...signer.headers(webhookId(jobId), now(), attempt.body),
    };
    const outcome = await attemptDelivery(
      { url: attempt.url, body: attempt.body, headers, timeoutMs: config.timeoutMs, signal: shutdown.signal, now },
      attemptDeps,
    );

    switch (outcome.kind) {
      case 'aborted':
        return handBack(attempt);
      case 'delivered':
        onOutcome('delivered');
        log.info({ ...fields, status: outcome.status }, 'callback delivered');
        return record(
          attempt,
          { status: 'DELIVERED', attempts: attempt.attempt, lastError: attempt.lastError, deliveredAt: new Date(now()).toISOString() },
          null,
        );
      case 'failed':
        onOutcome('rejected');
        log.warn({ ...fields, error: outcome.error }, 'callback failed (not retried)');
        return record(attempt, { status: 'FAILED', attempts: attempt.attempt, lastError: outcome.error, deliveredAt: null }, null);
      case 'retry': {
        if (attempt.attempt >= config.maxAttempts) {
          onOutcome('exhausted');
          const lastError = `${outcome.error} (gave up after ${attempt.attempt} attempts)`;
          log.warn({ ...fields, error: outcome.error }, 'callback failed: no attempts left');
          return record(attempt, { status: 'FAILED', attempts: attempt.attempt, lastError, deliveredAt: null }, null);
        }
        onOutcome('retry');
        const delayMs = retryDelayMs(attempt.attempt, outcome.retryAfterMs, backoff, random);
        log.info({ ...fields, error: outcome.error, retryInMs: delayMs }, 'callback attempt failed: will retry');
        return record(
          attempt,
          { status: 'PENDING', attempts: attempt.attempt, lastError: outcome.error, deliveredAt: null },
          now() + delayMs,
        );
      }
    }
  }

  return {
    async checkUrl(url) {
      const refusal = policy.checkUrl(url);
      if (refusal !== null) throw new AppError('BAD_USER_INPUT', `replyUrl ${refusal}`, { field: 'replyUrl' });
    },

    wake() {
      if (started && !closed) wake();
    },

    start() {
      if (closed) throw new Error('callback dispatcher is closed; create a new one');
      if (started) return;
      started = true;
      scheduleTick(0);
    },

    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      shutdown.abort(new Error('callback dispatcher closed'));
      await ticking;
      await Promise.allSettled([...inflight]);
    },
  };
}
