/**
 * The shared store: one hash per job's task and one schedule, changed only by the Lua scripts in
 * ./lua (each runs atomically, so two instances can never create, claim or commit the same thing).
 *
 *   {prefix}callback:task:{jobId}  hash  url, body, status, attempts, lastError, deliveredAt, token, created
 *   {prefix}callback:due           zset  jobId → when its next attempt is due (ms); a claimed attempt's
 *                                        score is its lease end, a finished task is not in it
 *
 * The claim script derives task keys from their prefix (not declared in KEYS), which is fine for a
 * single Redis or a primary with replicas, not for Redis Cluster.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { CallbackStatus } from '../jobs/model.js';
import type { CallbackStore, ClaimedAttempt, StoredTask } from './store.js';

interface Script {
  source: string;
  sha: string;
}

const loadScript = (name: string): Script => {
  const source = readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
  return { source, sha: createHash('sha1').update(source).digest('hex') };
};

const SCRIPTS = {
  create: loadScript('create'),
  schedule: loadScript('schedule'),
  claim: loadScript('claim'),
  commit: loadScript('commit'),
};

/** EVALSHA, falling back to EVAL once when the server does not have the script cached. */
async function run(redis: Redis, script: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}

const STATUSES: readonly CallbackStatus[] = ['PENDING', 'DELIVERED', 'FAILED'];

export function createRedisStore(redis: Redis, options: { prefix: string; doneTtlMs: number; now: () => number }): CallbackStore {
  const taskPrefix = `${options.prefix}callback:task:`;
  const dueKey = `${options.prefix}callback:due`;
  const taskKey = (jobId: string) => taskPrefix + jobId;

  return {
    async create(jobId, url, body, dueAt) {
      const created = await run(redis, SCRIPTS.create, [taskKey(jobId), dueKey], [jobId, url, body, dueAt, options.now()]);
      return created === 1;
    },
    async schedule(jobId, at) {
      await run(redis, SCRIPTS.schedule, [taskKey(jobId), dueKey], [jobId, at]);
    },
    async claimDue(now, leaseUntil, limit, tokenBase) {
      const rows = await run(redis, SCRIPTS.claim, [dueKey], [now, leaseUntil, limit, tokenBase, taskPrefix]);
      if (!Array.isArray(rows)) throw new Error('callback claim script returned a non-array');
      return rows.map((row): ClaimedAttempt => {
        const [jobId, attempt, token, url, body, lastError] = row as [string, number, string, string, string, string | null];
        return { jobId, attempt: Number(attempt), token, url, body, lastError: lastError ?? null };
      });
    },
    async commit(jobId, token, state, nextAt) {
      const recorded = await run(
        redis,
        SCRIPTS.commit,
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
