/**
 * The read side of the job service: get, list, watch. Finished jobs are answered from a copy a
 * second old at most (clients poll finished jobs hardest); results without a stored copy get fresh
 * Discord URLs when theirs lapsed; download links to our copies are signed on demand. A watched job
 * shows each state once and its queue position as it moves (./job-view-watch.ts).
 */
import { LRUCache } from 'lru-cache';
import { isTerminal, type Job } from '../../jobs/model.js';
import type { DownloadLink, JobFilter, JobPage, JobView } from '../../jobs/job-service.js';
import { expiringUrls, withRefreshedUrls } from '../run/attachment-urls.js';
import { discordAccountOf, type ExecutorContext } from '../context.js';
import { watchJobView } from './job-view-watch.js';
import { QueueFeed } from './queue-feed.js';
import { watchAllJobs } from './watch.js';

/**
 * A finished job only changes again when its callback is delivered: job(id) may answer from a copy
 * this young (a callback state can show up to this late).
 */
const FINISHED_READ_CACHE_MS = 1000;
const FINISHED_READ_CACHE_MAX = 10_000;
const URL_REFRESH_TIMEOUT_MS = 5000;
/** How long a download link to a stored result works. */
export const DOWNLOAD_LINK_TTL_SEC = 3600;

export class ReadModel {
  /** The age check uses the injected clock (lru-cache's own TTL reads performance.now). */
  private readonly finishedReads = new LRUCache<string, { view: JobView; at: number }>({ max: FINISHED_READ_CACHE_MAX });
  private readonly urlRefreshes = new Map<string, Promise<Job>>();
  private readonly feed: QueueFeed;

  constructor(private readonly ctx: ExecutorContext) {
    this.feed = new QueueFeed(ctx.coordinator, (error) => ctx.logger.warn({ err: error }, 'could not push queue positions'));
  }

  toView = async (job: Job): Promise<JobView> => ({
    ...job,
    queuePosition: job.status === 'QUEUED' ? await this.ctx.coordinator.queuePosition(job.id) : null,
  });

  async get(id: string): Promise<JobView | null> {
    const cached = this.finishedReads.get(id);
    if (cached && this.ctx.now() - cached.at < FINISHED_READ_CACHE_MS) return cached.view;
    const stored = await this.ctx.coordinator.getJob(id);
    if (!stored) return null;
    const view = await this.toView(await this.withFreshUrls(stored));
    if (isTerminal(view.status)) this.finishedReads.set(id, { view, at: this.ctx.now() });
    return view;
  }

  async list(filter: JobFilter, page: { first: number; after?: string | null }): Promise<JobPage> {
    const result = await this.ctx.coordinator.listJobs({ ...filter, first: page.first, after: page.after ?? null });
    return {
      ...result,
      edges: await Promise.all(
        result.edges.map(async ({ job, cursor }) => ({ job: await this.toView(await this.withFreshUrls(job)), cursor })),
      ),
    };
  }

  watch(id: string, signal: AbortSignal): AsyncIterable<JobView> {
    return watchJobView({ coordinator: this.ctx.coordinator, clock: this.ctx.clock, feed: this.feed, toView: this.toView }, id, signal);
  }

  watchAll(filter: { channel?: string; owner?: string }, signal: AbortSignal): AsyncIterable<JobView> {
    return mapAsync(watchAllJobs(this.ctx.coordinator, filter, signal), this.toView);
  }

  /** The job changed in a way the cache would hide (its callback state). */
  invalidate(id: string): void {
    this.finishedReads.delete(id);
  }

  async downloadLink(key: string, filename: string, baseUrl: string): Promise<DownloadLink> {
    const expiresAt = new Date(this.ctx.now() + DOWNLOAD_LINK_TTL_SEC * 1000).toISOString();
    const url = await this.ctx.blobs.downloadUrl(key, { expiresInSec: DOWNLOAD_LINK_TTL_SEC, filename, baseUrl });
    return { url, expiresAt };
  }

  /**
   * A completed job whose Discord URLs lapsed (or are about to) and that has no stored copy gets
   * fresh ones through its channel's account, stored on the job. One refresh per job at a time; on
   * failure the job is served as it is.
   */
  private withFreshUrls(job: Job): Promise<Job> {
    const urls = expiringUrls(job, this.ctx.now());
    if (urls.length === 0 || !job.channel) return Promise.resolve(job);
    let pending = this.urlRefreshes.get(job.id);
    if (!pending) {
      pending = this.refreshUrls(job, job.channel, urls).finally(() => this.urlRefreshes.delete(job.id));
      this.urlRefreshes.set(job.id, pending);
    }
    return pending.catch((error: unknown) => {
      this.ctx.logger.warn({ err: error, job: job.id }, 'could not refresh the result URLs; serving the expired ones');
      return job;
    });
  }

  private async refreshUrls(job: Job, channel: string, urls: string[]): Promise<Job> {
    const account = await this.ctx.coordinator.getAccount(channel);
    if (!account) return job;
    const fresh = await this.ctx.driver.refreshUrls(discordAccountOf(account), urls, this.ctx.clock.timeoutSignal(URL_REFRESH_TIMEOUT_MS));
    const attachments = withRefreshedUrls(job.attachments, fresh);
    return (
      (await this.ctx.coordinator.updateJob(job.id, {
        from: ['COMPLETED'],
        patch: { attachments },
        retentionSec: this.ctx.retentionSec,
      })) ?? { ...job, attachments }
    );
  }
}

async function* mapAsync<T, U>(source: AsyncIterable<T>, map: (value: T) => Promise<U>): AsyncGenerator<U> {
  for await (const value of source) yield await map(value);
}
