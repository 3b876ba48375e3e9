/**
 * What keeps the job service moving besides its callers: store events (a channel freed anywhere,
 * accounts changed, a job queued, a cancel request), the store's reconnects, and the periodic
 * passes (dispatch safety tick, reaper and queue checks, result retention, start estimates).
 * Each start returns its stop.
 */
import { every } from '../../timing/every.js';
import type { ExecutorContext } from '../context.js';
import { EVENT_ACCOUNTS, EVENT_CHANNEL_FREED, EVENT_CONTROL, EVENT_QUEUE } from '../store/port.js';
import { parseControl } from '../run/cancellation.js';
import { CreditStarvation } from './credit-starvation.js';
import { ResultRetention, RETENTION_SWEEP_MS } from './result-retention.js';
import type { ServiceParts } from './parts.js';
import type { StartEstimate } from './start-estimate.js';
import { UnrunnableJobs } from './unrunnable-jobs.js';

const SAFETY_TICK_MS = 500;

/** Wake-ups from the store; resolves with what unsubscribes them all. */
export async function subscribeWakeUps(ctx: ExecutorContext, parts: ServiceParts): Promise<() => Promise<void>> {
  const { admission, dispatcher, runs, recovery } = parts;
  const unsubscribers = [
    await ctx.coordinator.subscribe(EVENT_CHANNEL_FREED, (channel) => dispatcher.poke(channel)),
    await ctx.coordinator.subscribe(EVENT_ACCOUNTS, () => {
      admission.accountsChanged();
      dispatcher.accountsChanged();
    }),
    // Busy channels with nothing staged look again when a job is queued (../run/staging.ts).
    await ctx.coordinator.subscribe(EVENT_QUEUE, () => runs.staging.queueChanged()),
    await ctx.coordinator.subscribe(EVENT_CONTROL, (payload) => {
      const message = parseControl(payload);
      if (message) runs.abort(message.id, 'cancel');
    }),
  ];
  const stopReconnect = ctx.coordinator.onReconnect(() => {
    recovery.checkStore().then(
      () => dispatcher.poke(),
      () => dispatcher.poke(),
    );
  });
  return async () => {
    stopReconnect();
    await Promise.all(unsubscribers.map((u) => u().catch(() => undefined)));
  };
}

/** The dispatch safety tick: stopped first on close, so nothing new is claimed while runs wind down. */
export function startSafetyTick(ctx: ExecutorContext, parts: ServiceParts): () => void {
  return every(ctx.clock, SAFETY_TICK_MS, () => parts.dispatcher.poke());
}

/** The reaper and queue checks, result retention and start estimates. */
export function startPeriodicPasses(ctx: ExecutorContext, parts: ServiceParts, estimate: StartEstimate): () => void {
  const { recovery, terminal } = parts;
  const warn = (what: string) => (error: unknown) => ctx.logger.warn({ err: error }, what);
  const starvation = new CreditStarvation(ctx, terminal);
  const unrunnable = new UnrunnableJobs(ctx, terminal);
  const stopReaper = every(ctx.clock, ctx.config.jobs.reaperIntervalMs, () => {
    recovery.reap().catch(warn('reaper pass failed'));
    starvation.failStarvedJobs().catch(warn('credit check of the queue failed'));
    unrunnable.failUnrunnableJobs().catch(warn('account check of the queue failed'));
  });
  const stopEstimating = terminal.onTerminal((job) => estimate.observe(job));
  const retention = new ResultRetention(ctx);
  const sweep = () => {
    retention.sweep().catch(warn('result retention sweep failed'));
  };
  const stopSweeping = every(ctx.clock, RETENTION_SWEEP_MS, sweep, { unref: true });
  return () => {
    stopReaper();
    stopSweeping();
    stopEstimating();
  };
}
