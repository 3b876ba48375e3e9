/**
 * The callback dispatcher: runs the due attempts of delivery tasks in the background with bounded
 * concurrency, so no receiver can hold up a job or another delivery. It never creates tasks: the
 * executor's store writes a job's task in the same atomic step as its terminal state (see
 * src/executor/store/port.ts), so a crash between the two cannot lose a callback.
 *
 * Per task: [claim attempt → POST → publish the result → commit it, scheduling a retry] until
 * DELIVERED or FAILED. Publishing before committing keeps the job's callback state in attempt order
 * across instances: the next attempt cannot be claimed before the previous result is on the job.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { CallbackOutcome } from '../metrics/instrumentation.js';
import type { BackoffPolicy } from '../timing/backoff.js';
import { systemClock, type Clock, type ClockTimer } from '../timing/clock.js';
import { createAttemptRunner, type AttemptRunner, type CallbackJobAccess } from './attempt.js';
import { systemResolveHost, type ResolveHost } from './delivery.js';
import { createSigner } from './signing.js';
import { createHostPolicy, type HostPolicy } from './ssrf-guard.js';
import type { CallbackStore, ClaimedAttempt } from './store.js';
import { fetchTransport, pinnedTransport } from './transport.js';

export type { CallbackJobAccess } from './attempt.js';

export interface CallbackDispatcherDeps {
  config: Config['callbacks'];
  /** Where tasks live: the Redis store (src/callbacks/redis-store.ts) or the in-process one shared with the embedded coordinator. */
  store: CallbackStore;
  jobs: CallbackJobAccess;
  logger: Logger;
  /** Send through this fetch instead of the pinned node:http transport (the connection is then not pinned). */
  fetch?: typeof fetch;
  /** Reads the time and runs the poll timer and each attempt's timeout (src/timing/clock.ts). Default: the system clock. */
  clock?: Clock;
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

/** A failed delivery: full jitter from 1 s up to 5 min; a receiver's Retry-After is honoured up to an hour. */
const DELIVERY_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000, maxRetryAfterMs: 60 * 60_000 };

export function createCallbackDispatcher(deps: CallbackDispatcherDeps): CallbackDispatcher {
  const log = deps.logger.child({ module: 'callbacks' });
  const clock = deps.clock ?? systemClock;
  const policy = createHostPolicy(deps.config.allowHosts);
  warnIfDefaultUrlRefused(deps.config, policy, log);
  const shutdown = new AbortController();
  const runner = createAttemptRunner({
    config: deps.config,
    store: deps.store,
    jobs: deps.jobs,
    log,
    clock,
    random: deps.random ?? Math.random,
    backoff: { ...DELIVERY_BACKOFF, ...deps.backoff },
    signer: createSigner(deps.config.secret),
    delivery: {
      policy,
      resolveHost: deps.resolveHost ?? systemResolveHost,
      transport: deps.fetch ? fetchTransport(deps.fetch) : pinnedTransport,
    },
    signal: shutdown.signal,
    onOutcome: deps.onOutcome ?? (() => {}),
  });
  const loop = createClaimLoop(deps, clock, runner, log);

  return {
    async checkUrl(url) {
      const refusal = policy.checkUrl(url);
      if (refusal !== null) throw new AppError('BAD_USER_INPUT', `replyUrl ${refusal}`, { field: 'replyUrl' });
    },
    wake: () => loop.wake(),
    start: () => loop.start(),
    async close() {
      await loop.close(() => shutdown.abort(new Error('callback dispatcher closed')));
    },
  };
}

function warnIfDefaultUrlRefused(config: Config['callbacks'], policy: HostPolicy, log: Logger): void {
  if (config.defaultUrl === null) return;
  const refusal = policy.checkUrl(config.defaultUrl);
  if (refusal !== null) log.warn(`CALLBACK_DEFAULT_URL ${refusal}: callbacks to it will fail`);
}

/**
 * Claims due attempts every poll interval (sooner when woken or when a slot frees up), up to the
 * concurrency, and runs each with the runner; after close, claimed ones are handed back.
 */
function createClaimLoop(deps: CallbackDispatcherDeps, clock: Clock, runner: AttemptRunner, log: Logger) {
  const pollIntervalMs = deps.pollIntervalMs ?? 1_000;
  const concurrency = deps.concurrency ?? 16;
  const leaseMs = deps.config.timeoutMs + (deps.leaseMarginMs ?? 15_000);
  const tokenBase = deps.instanceId ?? randomUUID();
  let started = false;
  let closed = false;
  let timer: ClockTimer | null = null;
  let ticking: Promise<void> | null = null;
  let tickAgain = false;
  const inflight = new Set<Promise<void>>();

  const scheduleTick = (delayMs: number) => {
    if (!started || closed) return;
    clock.clearTimeout(timer);
    timer = clock.setTimeout(() => {
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
    const at = clock.now();
    let claimed: ClaimedAttempt[];
    try {
      claimed = await deps.store.claimDue(at, at + leaseMs, free, tokenBase);
    } catch (error) {
      log.error({ err: error }, 'claiming due callback attempts failed');
      return;
    }
    for (const attempt of claimed) {
      const run = (closed ? runner.handBack(attempt) : runner.run(attempt))
        .catch((error: unknown) => log.error({ err: error, jobId: attempt.jobId }, 'callback attempt failed unexpectedly'))
        .finally(() => {
          inflight.delete(run);
          wake();
        });
      inflight.add(run);
    }
  }

  return {
    wake() {
      if (started && !closed) wake();
    },
    start() {
      if (closed) throw new Error('callback dispatcher is closed; create a new one');
      if (started) return;
      started = true;
      scheduleTick(0);
    },
    async close(abortInflight: () => void) {
      if (closed) return;
      closed = true;
      clock.clearTimeout(timer);
      timer = null;
      abortInflight();
      await ticking;
      await Promise.allSettled([...inflight]);
    },
  };
}
