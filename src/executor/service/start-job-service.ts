/**
 * The job service, composed of parts with one job each (parts.ts): admission (submit,
 * checks, fail-fast), dispatch (claim loop and wake-ups), runs (the worker per claimed job),
 * recovery (reaper, store loss), the read model (get/list/watch) and cancellation/shutdown, kept
 * moving by store events and periodic passes (loops.ts). No job belongs to the instance
 * that accepted it: its inputs and results live in the blob store, any instance runs any queued job.
 */
import type { CallbackState } from '../../jobs/model.js';
import type { JobService } from '../../jobs/job-service.js';
import { createAccountRegistry } from '../accounts.js';
import { startPeriodicPasses, startSafetyTick, subscribeWakeUps } from './loops.js';
import { buildServiceParts, executorContext, type JobServiceDeps } from './parts.js';
import { StartEstimate } from './start-estimate.js';

export type { JobServiceDeps } from './parts.js';

export async function startJobService(deps: JobServiceDeps): Promise<JobService & { instanceId: string }> {
  const ctx = executorContext(deps);
  let closing = false;
  const parts = buildServiceParts(ctx, deps, () => closing);
  const { admission, cancellation, reads, terminal, dispatcher } = parts;
  const unsubscribe = await subscribeWakeUps(ctx, parts);
  const stopSafetyTick = startSafetyTick(ctx, parts);
  const estimate = new StartEstimate(ctx);
  const stopPasses = startPeriodicPasses(ctx, parts, estimate);
  dispatcher.poke();

  return {
    instanceId: ctx.instanceId,
    submit: (input) => admission.submit(input),
    cancel: (id, owner) => cancellation.cancel(id, owner),
    get: (id) => reads.get(id),
    list: (filter, page) => reads.list(filter, page),
    watch: (id, signal) => reads.watch(id, signal),
    watchAll: (filter, signal) => reads.watchAll(filter, signal),
    downloadLink: (key, filename, baseUrl) => reads.downloadLink(key, filename, baseUrl),
    accounts: createAccountRegistry({
      coordinator: ctx.coordinator,
      config: deps.config,
      health: ctx.health,
      check: deps.checkAccount ?? (async () => null),
      now: ctx.now,
    }),
    estimatedStart: (job) => estimate.of(job),
    onTerminal: (listener) => terminal.onTerminal(listener),
    async setCallbackState(id: string, state: CallbackState) {
      reads.invalidate(id);
      await ctx.coordinator.updateJob(id, {
        from: ['COMPLETED', 'FAILED', 'CANCELLED'],
        patch: { callback: state },
        retentionSec: ctx.retentionSec,
      });
    },
    ready: () => ctx.coordinator.ping(),
    async close(deadlineMs: number) {
      if (closing) return;
      closing = true;
      stopSafetyTick();
      dispatcher.stop();
      await cancellation.shutdown(deadlineMs);
      stopPasses();
      await unsubscribe();
      await ctx.coordinator.close();
    },
  };
}
