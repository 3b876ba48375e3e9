/**
 * One claimed attempt of a delivery task, from claim to commit: skip what cannot be sent (attempts
 * exhausted by a crashed instance, a job that no longer exists), POST it (./delivery.ts), and
 * record the outcome: on the job first, then in the store, scheduling the retry (./dispatcher.ts
 * says why in that order). An attempt that did not happen (shutdown) is handed back uncounted.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { CallbackState, Job } from '../jobs/model.js';
import type { CallbackOutcome } from '../metrics/instrumentation.js';
import { retryDelayMs, type BackoffPolicy } from '../timing/backoff.js';
import type { Clock } from '../timing/clock.js';
import { attemptDelivery, type AttemptDeps, type AttemptOutcome } from './delivery.js';
import { withDownloadLinks, type DownloadLinksOf } from './download-links.js';
import { webhookId, type WebhookSigner } from './signing.js';
import type { CallbackStore, ClaimedAttempt } from './store.js';

/** What the dispatcher needs from the job service (implemented there at integration time). */
export interface CallbackJobAccess {
  get(id: string): Promise<Job | null>;
  /** Stores the job's callback state: bumps the job's version and publishes the change. */
  setCallbackState(id: string, state: CallbackState): Promise<void>;
  /** Links to our stored copies of a job's results, for the body's `download` fields (./download-links.ts); none without it. */
  downloadLinks?: DownloadLinksOf;
}

export interface AttemptContext {
  config: Config['callbacks'];
  store: CallbackStore;
  jobs: CallbackJobAccess;
  log: Logger;
  clock: Clock;
  random: () => number;
  backoff: BackoffPolicy;
  signer: WebhookSigner;
  delivery: AttemptDeps;
  /** Aborted on shutdown. */
  signal: AbortSignal;
  onOutcome: (outcome: CallbackOutcome) => void;
}

export interface AttemptRunner {
  run(attempt: ClaimedAttempt): Promise<void>;
  /** An attempt that did not happen (shutdown): given back, uncounted, due at once. */
  handBack(attempt: ClaimedAttempt): Promise<void>;
}

const USER_AGENT = 'picsi-graphql';

/** For logs: the URL's host only (its path or query may carry the receiver's secrets). */
const hostOf = (url: string): string => (URL.canParse(url) ? new URL(url).host : '(invalid URL)');

const ended = (status: 'FAILED' | 'DELIVERED' | 'PENDING', attempts: number, lastError: string | null, deliveredAt: string | null = null) =>
  ({ status, attempts, lastError, deliveredAt }) satisfies CallbackState;

/** Records the result on the job, then in the store (in that order: see ./dispatcher.ts). */
async function record(
  ctx: AttemptContext,
  attempt: ClaimedAttempt,
  state: CallbackState,
  nextAt: number | null,
  publish = true,
): Promise<void> {
  if (publish) {
    try {
      await ctx.jobs.setCallbackState(attempt.jobId, state);
    } catch (error) {
      ctx.log.warn({ err: error, jobId: attempt.jobId }, 'could not store the callback state on the job');
    }
  }
  if (!(await ctx.store.commit(attempt.jobId, attempt.token, state, nextAt))) {
    ctx.log.warn({ jobId: attempt.jobId, attempt: attempt.attempt }, 'callback attempt outlived its lease: its result was not recorded');
  }
}

export function createAttemptRunner(ctx: AttemptContext): AttemptRunner {
  const { config, log, clock } = ctx;
  let warnedUnsigned = false;

  const handBack = (attempt: ClaimedAttempt) =>
    record(ctx, attempt, ended('PENDING', attempt.attempt - 1, attempt.lastError), clock.now(), false);

  /** Said once, when the first callback actually goes out unsigned: nobody who sends none is told. */
  function warnIfUnsigned(): void {
    if (ctx.signer.signing || warnedUnsigned) return;
    warnedUnsigned = true;
    log.warn('CALLBACK_SECRET is not set: callbacks are sent unsigned (webhook-id and webhook-timestamp only)');
  }

  async function send(attempt: ClaimedAttempt, job: Job): Promise<AttemptOutcome> {
    warnIfUnsigned();
    const body = await withDownloadLinks(attempt.body, job, ctx.jobs.downloadLinks).catch((error: unknown) => {
      log.warn({ err: error, jobId: attempt.jobId }, 'callback sent without download links: they could not be made');
      return attempt.body;
    });
    const headers = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...ctx.signer.headers(webhookId(attempt.jobId), clock.now(), body),
    };
    const request = { url: attempt.url, body, headers, timeoutMs: config.timeoutMs, signal: ctx.signal, clock };
    return attemptDelivery(request, ctx.delivery);
  }

  /** The outcome, recorded: delivered, failed for good, or pending with its retry scheduled. */
  function settle(attempt: ClaimedAttempt, outcome: AttemptOutcome): Promise<void> {
    const fields = { jobId: attempt.jobId, attempt: attempt.attempt, host: hostOf(attempt.url) };
    switch (outcome.kind) {
      case 'aborted':
        return handBack(attempt);
      case 'delivered':
        ctx.onOutcome('delivered');
        log.info({ ...fields, status: outcome.status }, 'callback delivered');
        return record(ctx, attempt, ended('DELIVERED', attempt.attempt, attempt.lastError, new Date(clock.now()).toISOString()), null);
      case 'failed':
        ctx.onOutcome('rejected');
        log.warn({ ...fields, error: outcome.error }, 'callback failed (not retried)');
        return record(ctx, attempt, ended('FAILED', attempt.attempt, outcome.error), null);
      case 'retry': {
        if (attempt.attempt >= config.maxAttempts) {
          ctx.onOutcome('exhausted');
          log.warn({ ...fields, error: outcome.error }, 'callback failed: no attempts left');
          return record(
            ctx,
            attempt,
            ended('FAILED', attempt.attempt, `${outcome.error} (gave up after ${attempt.attempt} attempts)`),
            null,
          );
        }
        ctx.onOutcome('retry');
        const delayMs = retryDelayMs(attempt.attempt, outcome.retryAfterMs, ctx.backoff, ctx.random);
        log.info({ ...fields, error: outcome.error, retryInMs: delayMs }, 'callback attempt failed: will retry');
        return record(ctx, attempt, ended('PENDING', attempt.attempt, outcome.error), clock.now() + delayMs);
      }
    }
  }

  async function run(attempt: ClaimedAttempt): Promise<void> {
    if (attempt.attempt > config.maxAttempts) {
      // Only after an instance died during the last allowed attempt and its lease ran out.
      ctx.onOutcome('exhausted');
      const lastError = `gave up after ${config.maxAttempts} attempts (the last one was interrupted before its result was recorded)`;
      return record(ctx, attempt, ended('FAILED', config.maxAttempts, lastError), null);
    }
    const job = await ctx.jobs.get(attempt.jobId);
    if (job === null) {
      log.warn({ jobId: attempt.jobId, attempt: attempt.attempt, host: hostOf(attempt.url) }, 'job no longer exists: callback dropped');
      return record(ctx, attempt, ended('FAILED', attempt.attempt, 'job no longer exists'), null, false);
    }
    return settle(attempt, await send(attempt, job));
  }

  return { run, handBack };
}
