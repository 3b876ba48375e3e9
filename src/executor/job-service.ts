/**
 * The job service: accepts jobs, queues them FIFO across instances, starts each the moment a
 * channel frees (event-driven wake-ups, with a slow safety tick), reaps jobs whose holder
 * vanished, and streams versioned job states to watchers.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DiscordAccount, PicsiDriver, SpooledFile } from '../discord/types.js';
import { AppError, echoInput } from '../errors.js';
import { newJobId } from '../jobs/ids.js';
import { isTerminal, maskToken, PICSI_VERB, type CallbackState, type Job } from '../jobs/model.js';
import type { JobService, JobView, SubmitInput } from '../jobs/service.js';
import { createAccountRegistry } from './accounts.js';
import { EVENT_CHANNEL_FREED, EVENT_CONTROL, STORE_LOST, utcDay, type AccountRecord, type Coordinator, type JobPatch } from './coordinator.js';
import { expiringUrls, withRefreshedUrls } from './attachment-urls.js';
import { watchAllJobs, watchJob } from './watch.js';
import { runJob, type RunningJob } from './worker.js';

export interface JobServiceDeps {
  config: Config;
  coordinator: Coordinator;
  driver: PicsiDriver;
  logger: Logger;
  instanceId?: string;
  /** Accounts from configuration: registered again if the store loses its data. */
  configuredAccounts?: DiscordAccount[];
  now?: () => number;
  newId?: () => string;
}

/** Seconds a /picsi typically takes (3–10 s), for Retry-After estimates. */
const TYPICAL_JOB_SECONDS = 10;
const FAIL_FAST_RETRY_MS = 150;
const SAFETY_TICK_MS = 500;
/**
 * A finished job only changes again when its callback is delivered: job(id) may answer from a copy
 * this young (a callback state can show up to this late).
 */
const FINISHED_READ_CACHE_MS = 1000;
const FINISHED_READ_CACHE_MAX = 10_000;
const URL_REFRESH_TIMEOUT_MS = 5000;
/** How long dispatch reuses its list of accounts (it re-reads at once for a channel it does not know). */
const ACCOUNTS_REREAD_MS = 1000;
/** Finished jobs kept in memory to restore after a store loss (a few MB at most). */
const RECENTLY_FINISHED_MAX = 2000;

export async function startJobService(deps: JobServiceDeps): Promise<JobService & { instanceId: string }> {
  const { config, coordinator, driver } = deps;
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? (() => newJobId(now()));
  const instanceId = deps.instanceId ?? `i-${randomBytes(6).toString('hex')}`;
  const logger = deps.logger.child({ instance: instanceId });
  const retentionSec = config.jobs.retentionDays * 86_400;
  // Long enough to ride out a short Redis restart or a slow reaper pass: the queued jobs of an
  // instance whose heartbeat lapsed are failed by the others.
  const heartbeatTtlMs = Math.max(2 * config.jobs.leaseTtlMs, 5 * config.jobs.reaperIntervalMs);
  const localFiles = new Map<string, { source: SpooledFile; target: SpooledFile }>();
  /** The last record this instance wrote for each of its unfinished jobs: what it restores after a store loss. */
  const localJobs = new Map<string, Job>();
  /** job(id) answers for finished jobs, kept briefly: clients poll finished jobs hardest. */
  const finishedReads = new Map<string, { view: JobView; at: number }>();
  /** Jobs that recently ended here, newest last: restored too after a store loss. */
  const recentlyFinished = new Map<string, Job>();
  /** The accounts seen on the last dispatch pass: re-registered after a store loss. */
  let lastAccounts: AccountRecord[] = [];
  const running = new Map<string, RunningJob>();
  const terminalListeners = new Set<(job: Job) => void>();
  let closing = false;

  const toView = async (job: Job): Promise<JobView> => ({ ...job, queuePosition: job.status === 'QUEUED' ? await coordinator.queuePosition(job.id) : null });
  const notifyTerminal = (job: Job | null) => {
    if (!job || !isTerminal(job.status)) return;
    recentlyFinished.delete(job.id);
    recentlyFinished.set(job.id, job);
    if (recentlyFinished.size > RECENTLY_FINISHED_MAX) recentlyFinished.delete(recentlyFinished.keys().next().value!);
    for (const listener of terminalListeners) {
      try {
        listener(job);
      } catch (error) {
        logger.error({ err: error }, 'terminal listener failed');
      }
    }
  };
  const releaseFiles = (jobId: string): Promise<unknown> => {
    const files = localFiles.get(jobId);
    localFiles.delete(jobId);
    localJobs.delete(jobId);
    return files ? Promise.all([rm(files.source.path, { force: true }), rm(files.target.path, { force: true })]) : Promise.resolve();
  };

  // Dispatch: serialised per instance; a request while running schedules one more pass. A channel
  // just freed is tried first: it is the one most likely to be free.
  let dispatching: Promise<void> | null = null;
  let again = false;
  const freedFirst = new Set<string>();
  const dispatch = (freedChannel?: string): Promise<void> => {
    if (freedChannel) freedFirst.add(freedChannel);
    if (dispatching) {
      again = true;
      return dispatching;
    }
    dispatching = (async () => {
      do {
        again = false;
        await dispatchOnce().catch((error: unknown) => logger.warn({ err: error }, 'dispatch failed; retrying on the next wake-up'));
      } while (again && !closing);
    })().finally(() => (dispatching = null));
    return dispatching;
  };

  let accountsReadAt = -Infinity;
  async function dispatchOnce() {
    const preferred = [...freedFirst];
    freedFirst.clear();
    if (localFiles.size === running.size || closing) return; // nothing of ours waits
    // The claim script re-checks every account atomically: a list a moment old only orders the tries.
    if (now() - accountsReadAt > ACCOUNTS_REREAD_MS || preferred.some((c) => !lastAccounts.some((a) => a.channel === c))) {
      lastAccounts = await coordinator.listAccounts();
      accountsReadAt = now();
    }
    const accounts = shuffle([...lastAccounts]).sort((a, b) => Number(preferred.includes(b.channel)) - Number(preferred.includes(a.channel)));
    for (const account of accounts) {
      if (running.size >= localFiles.size) return;
      const token = randomBytes(12).toString('hex');
      const claimed = await coordinator.claim({
        channel: account.channel,
        instance: instanceId,
        acceptedBy: instanceId,
        token,
        ttlMs: config.jobs.leaseTtlMs,
        nowMs: now(),
        day: utcDay(now()),
        creditCost: config.jobs.creditCost,
        creditsPerDay: config.jobs.creditsPerDay,
        start: { server: account.server, discord: maskToken(account.discord), startedAt: new Date(now()).toISOString() },
        lost: { patch: lostPatch(), retentionSec, jobTimeoutMs: config.jobs.timeoutMs },
      });
      if (!claimed) continue;
      if (claimed === STORE_LOST) return void recover();
      for (const job of claimed.reaped) {
        logger.warn({ job: job.id, channel: job.channel }, 'finished a job whose holder vanished (EXECUTOR_LOST) while claiming its channel');
        notifyTerminal(job);
      }
      const files = localFiles.get(claimed.job.id);
      if (!files) {
        logger.error({ job: claimed.job.id }, 'claimed a job whose files are not here');
        continue;
      }
      startWorker(claimed, token, account, files);
    }
  }

  function startWorker(claimed: Parameters<typeof runJob>[1], token: string, account: AccountRecord, files: { source: SpooledFile; target: SpooledFile }) {
    const run = runJob({ coordinator, driver, logger, now, leaseTtlMs: config.jobs.leaseTtlMs, retentionSec }, claimed, token, discordAccountOf(account), files);
    running.set(claimed.job.id, run);
    localJobs.set(claimed.job.id, claimed.job);
    void run.done.then(async (finished) => {
      running.delete(claimed.job.id);
      const outcome = finished ?? (await restoreLostRun(claimed.job.id, run.attemptedOutcome()).catch(() => null));
      const removal = releaseFiles(claimed.job.id);
      void dispatch(claimed.job.channel ?? undefined);
      notifyTerminal(outcome);
      await removal;
    });
  }

  /**
   * Recovery after the store lost its data (Redis restarted empty): register the instance and the
   * accounts again and put this instance's queued jobs back in the queue, in their order. Jobs that
   * were running lose their lease, stop, and are restored as failed (restoreLostRun).
   */
  let recovering: Promise<void> | null = null;
  function recover(): Promise<void> {
    recovering ??= (async () => {
      await coordinator.heartbeat(instanceId, heartbeatTtlMs);
      const accountsToRestore = new Map<string, DiscordAccount>();
      for (const a of [...lastAccounts, ...deps.configuredAccounts ?? []]) accountsToRestore.set(a.channel, discordAccountOf(a));
      for (const account of accountsToRestore.values()) await coordinator.upsertAccount(account, { keepState: true });
      let restoredFinished = 0;
      for (const job of recentlyFinished.values()) if (await coordinator.restoreJob(job, retentionSec)) restoredFinished++;
      let requeued = 0;
      const queued = [...localJobs.values()].filter((job) => !running.has(job.id) && job.status === 'QUEUED').sort((a, b) => a.id.localeCompare(b.id));
      for (const job of queued) {
        const restored: Job = { ...job, version: job.version + 1, updated: new Date(now()).toISOString() };
        if (await coordinator.restoreJob(restored, retentionSec)) requeued++;
        localJobs.set(job.id, restored);
      }
      logger.warn({ accounts: accountsToRestore.size, requeued, restoredFinished, running: running.size }, 'recovered from a job store data loss: accounts, queued and recently finished jobs restored');
    })()
      .catch((error: unknown) => logger.warn({ err: error }, 'recovery after a store loss failed; retrying on the next pass'))
      .finally(() => {
        recovering = null;
        void dispatch();
      });
    return recovering;
  }

  /**
   * A run whose outcome the store refused: if the record itself is gone (store loss), restore it
   * with the outcome the run reached. That outcome is sound: a new epoch held the channel for a
   * lease TTL, so no other instance acted on it meanwhile.
   */
  async function restoreLostRun(id: string, attempted: JobPatch | null): Promise<Job | null> {
    const known = localJobs.get(id);
    if (!known || (await coordinator.getJob(id))) return null;
    const at = new Date(now()).toISOString();
    const outcome: JobPatch = attempted ?? { status: 'FAILED', code: 'EXECUTOR_LOST', error: 'The job store (Redis) lost its data while this job ran; it was stopped', errorDetails: null, finishedAt: at };
    const restored: Job = { ...known, ...outcome, version: known.version + 1, updated: at };
    return (await coordinator.restoreJob(restored, retentionSec)) ? restored : null;
  }

  /** A queued job of ours can end on another instance (cancelJob there, or its reaper): free its files. */
  async function releaseFilesOfJobsEndedElsewhere() {
    const waiting = [...localFiles.keys()].filter((id) => !running.has(id));
    if (waiting.length === 0) return;
    for (const job of await coordinator.getJobs(waiting)) {
      if (isTerminal(job.status) && !running.has(job.id)) await releaseFiles(job.id);
    }
  }

  /**
   * A completed job whose result URLs lapsed (or are about to) gets fresh ones from Discord through
   * its channel's account, stored on the job. One refresh per job at a time; on failure the job is
   * served as it is.
   */
  const urlRefreshes = new Map<string, Promise<Job>>();
  function withFreshUrls(job: Job): Promise<Job> {
    const urls = expiringUrls(job, now());
    if (urls.length === 0 || !job.channel) return Promise.resolve(job);
    let pending = urlRefreshes.get(job.id);
    if (!pending) {
      pending = refreshUrls(job, job.channel, urls).finally(() => urlRefreshes.delete(job.id));
      urlRefreshes.set(job.id, pending);
    }
    return pending.catch((error: unknown) => {
      logger.warn({ err: error, job: job.id }, 'could not refresh the result URLs; serving the expired ones');
      return job;
    });
  }
  async function refreshUrls(job: Job, channel: string, urls: string[]): Promise<Job> {
    const account = await coordinator.getAccount(channel);
    if (!account) return job;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), URL_REFRESH_TIMEOUT_MS);
    try {
      const fresh = await driver.refreshUrls(discordAccountOf(account), urls, controller.signal);
      const attachments = withRefreshedUrls(job.attachments, fresh);
      return (await coordinator.updateJob(job.id, { from: ['COMPLETED'], patch: { attachments }, retentionSec })) ?? { ...job, attachments };
    } finally {
      clearTimeout(timer);
    }
  }

  async function checkStore() {
    if ((await coordinator.checkStore()) === 'lost') await recover();
  }

  async function reap() {
    await checkStore();
    await coordinator.heartbeat(instanceId, heartbeatTtlMs);
    for (let more = true; more; ) {
      const reaped = await coordinator.reap({ nowMs: now(), limit: 100, lost: { patch: lostPatch(), retentionSec, jobTimeoutMs: config.jobs.timeoutMs } });
      for (const lost of reaped.failed) {
        logger.warn({ job: lost.id, channel: lost.channel }, 'reaped a job whose holder vanished (EXECUTOR_LOST)');
        notifyTerminal(lost);
      }
      more = reaped.more;
    }
    await releaseFilesOfJobsEndedElsewhere();
    const instances = new Map<string, boolean>();
    for (const job of await coordinator.queuedJobs()) {
      if (job.instance === instanceId) continue;
      if (!instances.has(job.instance)) instances.set(job.instance, await coordinator.isAlive(job.instance));
      if (instances.get(job.instance)) continue;
      const failed = await coordinator.updateJob(job.id, { from: ['QUEUED'], patch: lostPatch(), retentionSec });
      if (failed) notifyTerminal(failed);
    }
  }
  const lostPatch = () => ({ status: 'FAILED' as const, code: 'EXECUTOR_LOST', error: 'The server instance holding this job stopped before it finished', finishedAt: new Date(now()).toISOString() });

  // Wake-ups: a channel freed anywhere, a cancel request for a job running here.
  const unsubscribers = [
    await coordinator.subscribe(EVENT_CHANNEL_FREED, (channel) => void dispatch(channel)),
    await coordinator.subscribe(EVENT_CONTROL, (payload) => {
      const message = JSON.parse(payload) as { type: string; id: string };
      if (message.type === 'cancel') running.get(message.id)?.abort('cancel');
    }),
  ];
  const stopReconnect = coordinator.onReconnect(() => void checkStore().catch(() => undefined).finally(() => void dispatch()));
  const safetyTick = setInterval(() => void dispatch(), SAFETY_TICK_MS);
  const reaper = setInterval(() => reap().catch((error: unknown) => logger.warn({ err: error }, 'reaper pass failed')), config.jobs.reaperIntervalMs);
  await coordinator.heartbeat(instanceId, heartbeatTtlMs);

  const accounts = createAccountRegistry({ coordinator, config, now });

  async function submit(input: SubmitInput): Promise<JobView> {
    try {
      if (closing) throw new AppError('CHANNEL_BUSY', 'The server is shutting down; retry on another instance', { retryAfter: 5 });
      const [eligible, size] = await Promise.all([eligibleChannels(input.requestedChannel), coordinator.queueSize(input.owner)]);
      const retryAfter = Math.min(300, Math.max(TYPICAL_JOB_SECONDS, Math.ceil((size.total + 1) / Math.max(1, eligible)) * TYPICAL_JOB_SECONDS));
      if (size.owner >= config.jobs.queueMaxPerToken || size.total >= config.jobs.queueMax) {
        throw new AppError('CHANNEL_BUSY', `Queue full: at most ${size.owner >= config.jobs.queueMaxPerToken ? `${config.jobs.queueMaxPerToken} queued jobs per API token` : `${config.jobs.queueMax} queued jobs`}`, { retryAfter });
      }
      const created = new Date(now()).toISOString();
      const job: Job = {
        id: newId(), verb: PICSI_VERB, status: 'QUEUED', version: 1, owner: input.owner, mode: input.mode,
        requestedChannel: input.requestedChannel, channel: null, server: null, discord: null, options: input.options,
        sourceImage: { size: input.source.size, type: input.source.contentType, filename: input.source.filename },
        targetImage: { size: input.target.size, type: input.target.contentType, filename: input.target.filename },
        replyUrl: input.replyUrl, replyRef: input.replyRef, created, updated: created, startedAt: null, finishedAt: null,
        messageId: null, content: null, attachments: [], timestamp: null, code: null, error: null, errorDetails: null,
        attempt: 0, instance: instanceId, callback: null,
      };
      localFiles.set(job.id, { source: input.source, target: input.target });
      localJobs.set(job.id, job);
      await coordinator.createJob(job, true);
      if (input.mode === 'FAIL_FAST') return await failFast(job, retryAfter);
      await dispatch();
      // Started by this very pass: the claim's record is here already.
      const local = localJobs.get(job.id);
      if (local && local.status !== 'QUEUED') return { ...local, queuePosition: null };
      return await toView((await coordinator.getJob(job.id)) ?? job);
    } catch (error) {
      await Promise.all([rm(input.source.path, { force: true }), rm(input.target.path, { force: true })]);
      throw error;
    }
  }

  /** The hosted API's behaviour: a few lock attempts, then 429. The job never waits in the queue. */
  async function failFast(job: Job, retryAfter: number): Promise<JobView> {
    for (let attempt = 1; attempt <= config.jobs.lockAttempts; attempt++) {
      await dispatch();
      const current = await coordinator.getJob(job.id);
      if (current && current.status !== 'QUEUED') return toView(current);
      if (attempt < config.jobs.lockAttempts) await sleep(FAIL_FAST_RETRY_MS);
    }
    if (await coordinator.discardQueued(job.id)) {
      localFiles.delete(job.id);
      localJobs.delete(job.id);
      throw new AppError('CHANNEL_BUSY', `Unable to lock Discord after ${config.jobs.lockAttempts} attempts`, { retryAfter });
    }
    return toView((await coordinator.getJob(job.id)) ?? job);
  }

  async function eligibleChannels(requested: string | null): Promise<number> {
    const all = await coordinator.listAccounts();
    if (requested !== null && !all.some((a) => a.channel === requested)) {
      throw new AppError('BAD_USER_INPUT', `Configuration not found for channel ${echoInput(requested)}`, { channel: echoInput(requested) });
    }
    const candidates = all.filter((a) => a.enabled && (requested === null || a.channel === requested));
    if (candidates.length === 0) throw new AppError('PAYMENT_REQUIRED', 'No enabled Discord account is configured for this request', { channel: requested });
    const day = utcDay(now());
    const used = await Promise.all(candidates.map((a) => (a.exhaustedDay === day ? Infinity : coordinator.creditsUsed(a.channel, day))));
    const withCredits = used.filter((u) => u + config.jobs.creditCost <= config.jobs.creditsPerDay).length;
    if (withCredits === 0) throw new AppError('PAYMENT_REQUIRED', `Account has no credits left today (UTC) on ${requested === null ? 'any configured channel' : `channel ${requested}`}`, { channel: requested });
    return withCredits;
  }

  async function cancel(id: string, owner: string | null): Promise<JobView | null> {
    const job = await coordinator.getJob(id);
    if (!job || (owner !== null && job.owner !== owner)) return null;
    if (job.status === 'QUEUED') {
      const cancelled = await coordinator.updateJob(id, { from: ['QUEUED'], patch: { status: 'CANCELLED', code: 'CANCELLED', error: 'Cancelled by request', finishedAt: new Date(now()).toISOString() }, retentionSec });
      if (cancelled) {
        await releaseFiles(id);
        notifyTerminal(cancelled);
        return toView(cancelled);
      }
    } else if (job.status === 'STARTED') {
      await coordinator.publish(EVENT_CONTROL, JSON.stringify({ type: 'cancel', id }));
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 5000);
      try {
        for await (const update of watchJob(coordinator, id, controller.signal)) if (isTerminal(update.status)) return toView(update);
      } finally {
        clearTimeout(timer);
      }
    }
    const latest = await coordinator.getJob(id);
    return latest ? toView(latest) : null;
  }

  return {
    instanceId,
    submit,
    cancel,
    get: async (id) => {
      const cached = finishedReads.get(id);
      if (cached && now() - cached.at < FINISHED_READ_CACHE_MS) return cached.view;
      const stored = await coordinator.getJob(id);
      if (!stored) return null;
      const job = await withFreshUrls(stored);
      const view = await toView(job);
      if (isTerminal(job.status)) {
        finishedReads.delete(id);
        finishedReads.set(id, { view, at: now() });
        if (finishedReads.size > FINISHED_READ_CACHE_MAX) finishedReads.delete(finishedReads.keys().next().value!);
      }
      return view;
    },
    list: async (filter, page) => {
      const result = await coordinator.listJobs({ ...filter, first: page.first, after: page.after ?? null });
      return { ...result, edges: await Promise.all(result.edges.map(async ({ job, cursor }) => ({ job: await toView(await withFreshUrls(job)), cursor }))) };
    },
    watch: (id, signal) => mapAsync(watchJob(coordinator, id, signal), toView),
    watchAll: (filter, signal) => mapAsync(watchAllJobs(coordinator, filter, signal), toView),
    accounts,
    onTerminal(listener) {
      terminalListeners.add(listener);
      return () => terminalListeners.delete(listener);
    },
    async setCallbackState(id: string, state: CallbackState) {
      finishedReads.delete(id);
      await coordinator.updateJob(id, { from: ['COMPLETED', 'FAILED', 'CANCELLED'], patch: { callback: state }, retentionSec });
    },
    ready: () => coordinator.ping(),
    async close(deadlineMs: number) {
      if (closing) return;
      closing = true;
      clearInterval(safetyTick);
      for (const id of [...localFiles.keys()]) if (!running.has(id)) await cancel(id, null).catch(() => null);
      const drained = Promise.all([...running.values()].map((r) => r.done));
      const timedOut = await Promise.race([drained.then(() => false), sleep(deadlineMs).then(() => true)]);
      if (timedOut) {
        for (const run of running.values()) run.abort('shutdown');
        await Promise.race([drained, sleep(2000)]);
      }
      clearInterval(reaper);
      stopReconnect();
      await Promise.all(unsubscribers.map((u) => u().catch(() => undefined)));
      await coordinator.close();
    },
  };
}

/** The account as the driver takes it: an account record without its runtime state. */
const discordAccountOf = (a: DiscordAccount): DiscordAccount => ({ channel: a.channel, server: a.server, discord: a.discord, ...(a.label ? { label: a.label } : {}) });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

async function* mapAsync<T, U>(source: AsyncIterable<T>, map: (value: T) => Promise<U>): AsyncGenerator<U> {
  for await (const value of source) yield await map(value);
}
