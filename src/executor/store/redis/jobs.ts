/** The Redis coordinator's jobs (JobStore): each change one script of ./lua (create-job, update-job…). */
import type { Job } from '../../../jobs/model.js';
import { NEXT_STATUSES } from '../../../jobs/model.js';
import { decodeJob } from '../../../redis/job-json.js';
import { utcDay, type AdmissionTerms, type AdmitResult, type JobListPage, type JobStore, type JobWrite, type ListQuery } from '../port.js';
import { comparePlaces, positionsOf, type QueueEntry } from '../fair-queue.js';
import { indexNameOf } from '../keys.js';
import { cursorOf, entryOfCursor } from '../paging.js';
import { jobOrNull, type RedisStore } from './context.js';

const TRANSITIONS = JSON.stringify(NEXT_STATUSES);
/** Listing indexes keep entries this much past the retention (a job expires retention after it ends). */
const INDEX_SLACK_MS = 7 * 86_400_000;

/** Every queued job's place and channel: one read of every queue. */
async function queueEntries({ commands, keys }: RedisStore): Promise<QueueEntry[]> {
  const channels: (string | null)[] = [null, ...(await commands.smembers(keys.queueChannels))];
  const pipeline = commands.pipeline();
  for (const channel of channels) pipeline.zrange(channel === null ? keys.anyQueue : keys.channelQueue(channel), 0, -1, 'WITHSCORES');
  const replies = (await pipeline.exec()) ?? [];
  return replies.flatMap(([error, flat], i) => {
    if (error) throw error;
    const entries = flat as string[];
    return entries.flatMap((id, j) => (j % 2 === 0 ? [{ id, round: Number(entries[j + 1]), channel: channels[i]! }] : []));
  });
}

async function listJobsOn({ scripts, keys }: RedisStore, query: ListQuery): Promise<JobListPage> {
  const bound = query.after ? `(${entryOfCursor(query.after)}` : '+';
  const flat = (await scripts.run(
    'list-jobs',
    [keys.indexPrefix + indexNameOf(query), keys.jobPrefix],
    [bound, query.first + 1],
  )) as string[];
  const jobs: Job[] = [];
  for (let i = 1; i < flat.length; i += 2) jobs.push(decodeJob(flat[i]));
  const page = jobs.slice(0, query.first);
  return {
    edges: page.map((job) => ({ job, cursor: cursorOf(job) })),
    endCursor: page.length ? cursorOf(page.at(-1)!) : null,
    hasNextPage: jobs.length > query.first,
  };
}

async function updateJobOn({ runWrite, scripts, keys, publishWith }: RedisStore, id: string, write: JobWrite): Promise<Job | null> {
  const args = [
    id,
    JSON.stringify(write.patch),
    write.token ?? '',
    write.channel ?? '',
    write.retentionSec,
    (write.from ?? []).join(','),
    TRANSITIONS,
    write.pace ? write.pace.readyAt : '',
  ];
  const written = jobOrNull(await runWrite('update-job', [keys.accountPrefix], args), id);
  // Left the queue without starting (cancelled, failed while queued): release its credits, tell the queue.
  if (written && written.startedAt === null && written.status !== 'QUEUED' && write.patch.status !== undefined)
    await scripts.run('left-queue', [keys.reserve, keys.reserved], [keys.event(''), publishWith, id]);
  return written;
}

export function redisJobs(store: RedisStore, retentionDays = 31): JobStore {
  const { commands, keys, scripts, runWrite, now } = store;
  const mgetJobs = async (ids: string[]) =>
    (ids.length ? await commands.mget(ids.map(keys.job)) : []).filter((r): r is string => r !== null).map((r) => decodeJob(r));
  /** create-job: a new job, enqueued at its place, with admission terms or none (''). */
  const createWith = async (job: Job, enqueue: boolean, terms: AdmissionTerms | null) => {
    const cutoff = new Date(Date.parse(job.created) - retentionDays * 86_400_000 - INDEX_SLACK_MS).toISOString();
    const day = terms?.day ?? utcDay(now());
    return (await runWrite(
      'create-job',
      [keys.queueRounds, keys.reserve, keys.reserved, keys.tokenCredits(day), keys.creditsPrefix],
      [JSON.stringify(job), enqueue ? '1' : '0', cutoff, terms ? JSON.stringify(terms) : ''],
    )) as [number, string | number, number, number?];
  };
  return {
    async createJob(job, enqueue) {
      await createWith(job, enqueue, null);
    },
    async admitJob(job, terms): Promise<AdmitResult> {
      const [kind, a, b, c] = await createWith(job, true, terms);
      if (kind === 1)
        return { admitted: false, refusal: 'token-share', share: terms.share, spent: Number(a), reserved: Number(b), cost: Number(c) };
      if (kind === 2) return { admitted: false, refusal: 'credits', room: Number(a), cost: Number(b) };
      return { admitted: true, reservation: a ? { channel: String(a), cost: Number(b) } : null };
    },
    getJob: async (id) => jobOrNull(await commands.get(keys.job(id)), id),
    getJobs: mgetJobs,
    async queuePosition(id) {
      const position = await scripts.run('queue-position', [keys.queueSeq, keys.queuePrefix, keys.queueChannels, keys.jobPrefix], [id]);
      return position === null ? null : Number(position);
    },
    queuePositions: async () => positionsOf(await queueEntries(store)),
    async queueSize(owner) {
      const [total, mine] = await Promise.all([
        commands.zcard(keys.indexPrefix + indexNameOf({ status: 'QUEUED' })),
        commands.zcard(keys.indexPrefix + indexNameOf({ owner, status: 'QUEUED' })),
      ]);
      return { total, owner: mine };
    },
    queuedJobs: async () => mgetJobs((await queueEntries(store)).sort(comparePlaces).map((e) => e.id)),
    listJobs: (query) => listJobsOn(store, query),
    updateJob: (id, write) => updateJobOn(store, id, write),
    discardQueued: async (id) => (await runWrite('discard-queued', [keys.reserve, keys.reserved], [id])) === 1,
    restoreJob: async (job, retentionSec) =>
      (await runWrite('restore-job', [keys.queueRounds, keys.reserve, keys.reserved], [JSON.stringify(job), retentionSec])) === 1,
  };
}
