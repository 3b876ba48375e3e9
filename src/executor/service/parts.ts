/**
 * The job service's parts, built and wired to each other: admission, dispatch, runs, recovery, the
 * read model and cancellation, over one executor context.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import type { CommandDriver, DiscordAccount } from '../../discord/types.js';
import { newJobId } from '../../jobs/ids.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../timing/clock.js';
import { AccountHealthKeeper, type AlertSink } from '../account-health.js';
import type { AccountCheck } from '../accounts.js';
import { Admission } from './admission.js';
import { Cancellation } from '../run/cancellation.js';
import type { ExecutorContext } from '../context.js';
import type { Coordinator } from '../store/port.js';
import { Dispatcher } from '../run/dispatch.js';
import { ReadModel } from './read-model.js';
import { Recovery } from './recovery.js';
import type { CopyRemote } from '../run/results.js';
import { RunningJobs } from '../run/runs.js';
import { StoreLossBackup } from '../store-loss-backup.js';
import { TerminalEffects } from '../run/terminal-effects.js';

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
  /** Time for every part (default the system clock). */
  clock?: Clock;
  /** Only the reads of the time (the timers stay on `clock`). */
  now?: () => number;
  newId?: () => string;
  /** Draws the pacing jitter (default Math.random). */
  random?: () => number;
  /** Where account alerts go (ACCOUNT_ALERT_URL); default: logged only. */
  alerts?: AlertSink;
  /** The doctor's checks of one account, run by resumeAccount; default: none (resume at once). */
  checkAccount?: AccountCheck;
}

export function executorContext(deps: JobServiceDeps): ExecutorContext {
  const base = deps.clock ?? systemClock;
  const clock: Clock = deps.now ? { ...base, now: deps.now } : base;
  const now = () => clock.now();
  const instanceId = deps.instanceId ?? `i-${randomBytes(6).toString('hex')}`;
  const logger = deps.logger.child({ instance: instanceId });
  return {
    config: deps.config,
    coordinator: deps.coordinator,
    driver: deps.driver,
    blobs: deps.blobs,
    logger,
    instanceId,
    clock,
    now,
    retentionSec: deps.config.jobs.retentionDays * 86_400,
    health: new AccountHealthKeeper(deps.coordinator, deps.alerts ?? { send: () => undefined }, logger, now),
    random: deps.random ?? Math.random,
  };
}

export type ServiceParts = ReturnType<typeof buildServiceParts>;

export function buildServiceParts(ctx: ExecutorContext, deps: JobServiceDeps, isClosing: () => boolean) {
  const journal = new StoreLossBackup();
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
    newId: deps.newId ?? (() => newJobId(ctx.now())),
    dispatch: () => dispatcher.wake(),
    toView: reads.toView,
    isClosing,
  });
  const cancellation = new Cancellation(ctx, runs, terminal, reads.toView);
  return { journal, terminal, reads, recovery, runs, dispatcher, admission, cancellation };
}
