/**
 * The job service, composed of parts with one job each: admission (submit, checks, fail-fast),
 * dispatch (claim loop and wake-ups), runs (the worker per claimed job), recovery (reaper, store
 * loss), the read model (get/list/watch) and cancellation/shutdown. No job belongs to the instance
 * that accepted it: its inputs and results live in the blob store, any instance runs any queued job.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DiscordAccount, CommandDriver } from '../discord/types.js';
import { newJobId } from '../jobs/ids.js';
import type { CallbackState } from '../jobs/model.js';
import type { JobService } from '../jobs/job-service.js';
import type { BlobStore } from '../storage/blob-store.js';
import { AccountHealthKeeper, type AlertSink } from './account-health.js';
import { createAccountRegistry, type AccountCheck } from './accounts.js';
import { Admission } from './admission.js';
import { Cancellation, parseControl } from './cancellation.js';
import type { ExecutorContext } from './context.js';
import { EVENT_ACCOUNTS, EVENT_CHANNEL_FREED, EVENT_CONTROL, EVENT_QUEUE, type Coordinator } from './coordinator.js';
import { CreditStarvation } from './credit-starvation.js';
import { Dispatcher } from './dispatch.js';
import { StoreLossJournal } from './store-loss-journal.js';
import { ReadModel } from './read-model.js';
import { Recovery } from './recovery.js';
import { ResultRetention, RETENTION_SWEEP_MS } from './result-retention.js';
import type { CopyRemote } from './results.js';
import { RunningJobs } from './runs.js';
import { TerminalEffects } from './terminal-effects.js';
import { StartEstimate } from './start-estimate.js';
import { UnrunnableJobs } from './unrunnable-jobs.js';

export interface JobServiceDeps {
  config: Config;
  coordinator: Coordinator;
  driver: CommandDriver;
  blobs: BlobStore;
  /** Copies a result file off Discord's CDN into the blob store. */
  copyResult: CopyRemote;
  logger: Logger;
  instanceId?: string;
  /** Accounts from configuration: registered again if the store loses its data. */
  configuredAccounts?: DiscordAccount[];
  now?: () => number;
  newId?: () => string;
  /** Draws the pacing jitter (default Math.random). */
  random?: () => number;
  /** Where account alerts go (ACCOUNT_ALERT_URL); default: logged only. */
  alerts?: AlertSink;
  /** The doctor's checks of one account, run by resumeAccount; default: none (resume at once). */
  checkAccount?: AccountCheck;
}

const SAFETY_TICK_MS = 500;

export async function startJobService(deps: JobServiceDeps): Promise<JobService & { instanceId: string }> {
  const now = deps.now ?? Date.now;
  const instanceId = deps.instanceId ?? `i-${randomBytes(6).toString('hex')}`;
  const logger = deps.logger.child({ instance: instanceId });
  const ctx: ExecutorContext = {
    config: deps.config,
    coordinator: deps.coordinator,
    driver: deps.driver,
    blobs: deps.blobs,
    logger,
    instanceId,
    now,
    retentionSec: deps.config.jobs.retentionDays * 86_400,
    health: new AccountHealthKeeper(deps.coordinator, deps.alerts ?? { send: () => undefined }, logger, now),
    random: deps.random ?? Math.random,
  };
  let closing = false;
  const journal = new StoreLossJournal();
  const terminal = new TerminalEffects(ctx.blobs, journal, ctx.logger);
  const reads = new ReadModel(ctx);
  // Dispatch and recovery refer to each other through callbacks (called once everything is built):
  // recovery resumes dispatch, a claim that finds the store empty starts recovery.
  const recovery: Recovery = new Recovery({
    ctx,
    journal,
    terminal,
    configuredAccounts: deps.configuredAccounts ?? [],
    isRunningHere: (id) => runs.has(id),
    runningHere: () => runs.size,
    onRecovered: () => dispatcher.poke(),
    resumeCopy: (job, token) => runs.copies.resume(job, token),
  });
  const runs = new RunningJobs({
    ctx,
    journal,
    terminal,
    copyResult: deps.copyResult,
    restoreLostRun: (id, attempted) => recovery.restoreLostRun(id, attempted),
    onChannelFreed: (channel) => dispatcher.poke(channel),
  });
  const dispatcher = new Dispatcher({ ctx, runs, journal, terminal, onStoreLost: () => recovery.startRecovery() });
  const admission = new Admission({
    ctx,
    journal,
    newId: deps.newId ?? (() => newJobId(now())),
    dispatch: () => dispatcher.wake(),
    toView: reads.toView,
    isClosing: () => closing,
  });
  const cancellation = new Cancellation(ctx, runs, terminal, reads.toView);

  // Wake-ups: a channel freed anywhere, a cancel request for a job running here.
  const unsubscribers = [
    await ctx.coordinator.subscribe(EVENT_CHANNEL_FREED, (channel) => dispatcher.poke(channel)),
    await ctx.coordinator.subscribe(EVENT_ACCOUNTS, () => {
      admission.accountsChanged();
      dispatcher.accountsChanged();
    }),
    // Busy channels with nothing staged look again when a job is queued (./staging.ts).
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
  const safetyTick = setInterval(() => dispatcher.poke(), SAFETY_TICK_MS);
  const starvation = new CreditStarvation(ctx, terminal);
  const unrunnable = new UnrunnableJobs(ctx, terminal);
  const reaper = setInterval(() => {
    recovery.reap().catch((error: unknown) => ctx.logger.warn({ err: error }, 'reaper pass failed'));
    starvation.failStarvedJobs().catch((error: unknown) => ctx.logger.warn({ err: error }, 'credit check of the queue failed'));
    unrunnable.failUnrunnableJobs().catch((error: unknown) => ctx.logger.warn({ err: error }, 'account check of the queue failed'));
  }, deps.config.jobs.reaperIntervalMs);
  const estimate = new StartEstimate(ctx);
  const stopEstimating = terminal.onTerminal((job) => estimate.observe(job));
  const retention = new ResultRetention(ctx);
  const retentionSweep = setInterval(
    () => retention.sweep().catch((error: unknown) => ctx.logger.warn({ err: error }, 'result retention sweep failed')),
    RETENTION_SWEEP_MS,
  );
  retentionSweep.unref();
  dispatcher.poke();

  return {
    instanceId,
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
      now,
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
      clearInterval(safetyTick);
      dispatcher.stop();
      await cancellation.shutdown(deadlineMs);
      clearInterval(reaper);
      clearInterval(retentionSweep);
      stopEstimating();
      stopReconnect();
      await Promise.all(unsubscribers.map((u) => u().catch(() => undefined)));
      await ctx.coordinator.close();
    },
  };
}
