/**
 * The shared store: one hash per job's task and one schedule, changed only by the Lua scripts in
 * ./lua (each runs atomically, so two instances can never create, claim or commit the same thing).
 * The keys (./keys.ts) share the executor's hash tag: the executor's terminal write creates the task
 * in the same step as the job's terminal state.
 *
 *   {tag}callback:task:{jobId}  hash  url, body (or job: the terminal job, the body is made from it),
 *                                     status, attempts, lastError, deliveredAt, token, created
 *   {tag}callback:due           zset  jobId → when its next attempt is due (ms); a claimed attempt's
 *                                     score is its lease end, a finished task is not in it
 */
import type { CallbackStatus } from '../jobs/model.js';
import type { RedisClient } from '../redis/connect.js';
import { decodeJob } from '../redis/job-json.js';
import { defineScripts } from '../redis/scripts.js';
import { callbackKeys } from './keys.js';
import { toHostedJson } from './payload.js';
import type { CallbackStore, ClaimedAttempt, StoredTask } from './store.js';

const STATUSES: readonly CallbackStatus[] = ['PENDING', 'DELIVERED', 'FAILED'];

export function createRedisStore(redis: RedisClient, options: { prefix: string; doneTtlMs: number; now: () => number }): CallbackStore {
  const { taskPrefix, due: dueKey } = callbackKeys(options.prefix);
  const taskKey = (jobId: string) => taskPrefix + jobId;
  const scripts = defineScripts(redis, 'picsiCallback', new URL('./lua/', import.meta.url), ['create', 'schedule', 'claim-due', 'commit']);

  return {
    async create(jobId, url, body, dueAt) {
      const created = await scripts.run('create', [taskKey(jobId), dueKey], [jobId, url, body, dueAt, options.now()]);
      return created === 1;
    },
    async schedule(jobId, at) {
      await scripts.run('schedule', [taskKey(jobId), dueKey], [jobId, at]);
    },
    async claimDue(now, leaseUntil, limit, tokenBase) {
      const rows = await scripts.run('claim-due', [dueKey, taskPrefix], [now, leaseUntil, limit, tokenBase]);
      if (!Array.isArray(rows)) throw new Error('callback claim script returned a non-array');
      return rows.map((row): ClaimedAttempt => {
        const [jobId, attempt, token, url, body, job, lastError] = row as [string, number, string, string, string, string, string | null];
        // The body of a task created with the terminal state is made from that job: the same bytes on every attempt.
        return {
          jobId,
          attempt: Number(attempt),
          token,
          url,
          body: job ? JSON.stringify(toHostedJson(decodeJob(job))) : body,
          lastError: lastError ?? null,
        };
      });
    },
    async commit(jobId, token, state, nextAt) {
      const recorded = await scripts.run(
        'commit',
        [taskKey(jobId), dueKey],
        [jobId, token, state.status, state.attempts, state.lastError ?? '', state.deliveredAt ?? '', nextAt ?? '', options.doneTtlMs],
      );
      return recorded === 1;
    },
    async get(jobId) {
      const [fields, score] = await Promise.all([redis.hgetall(taskKey(jobId)), redis.zscore(dueKey, jobId)]);
      if (fields.status === undefined || fields.url === undefined) return null;
      const status = STATUSES.find((s) => s === fields.status);
      if (!status) throw new Error(`callback task ${jobId} has an unknown status ${JSON.stringify(fields.status)}`);
      const task: StoredTask = {
        url: fields.url,
        status,
        attempts: Number(fields.attempts ?? 0),
        lastError: fields.lastError ?? null,
        deliveredAt: fields.deliveredAt ?? null,
        dueAt: score === null ? null : Number(score),
      };
      return task;
    },
  };
}
