/**
 * The Redis coordinator: shared by every instance. Commands go over a connection with the offline
 * queue off and a command timeout (a lock command queued during an outage and sent later would
 * leave an orphan lease); events over a separate subscriber connection.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DiscordAccount } from '../discord/types.js';
import type { Job } from '../jobs/model.js';
import { STORE_LOST, type AccountRecord, type Claimed, type ClaimRequest, type Coordinator, type JobPatch, type ListQuery } from './coordinator.js';
import { decodeCursor, pageJobs } from './paging.js';
import { guardedByAvailability, resetConnection, resetIfOutOfStep, withDeadline } from './redis-availability.js';
import { randomBytes } from 'node:crypto';
import { CLAIM, CREATE_JOB, DISCARD_QUEUED, ENSURE_EPOCH, RENEW, RESTORE_JOB, UPDATE_JOB } from './redis-scripts.js';

const COMMAND_TIMEOUT_MS = 2000;
const LIST_BATCH = 200;
const SUBSCRIBER_PING_MAX_MS = 5000;
const LIST_SCAN_LIMIT = 5000;

type ScriptCommands = {
  picsiCreate(...args: string[]): Promise<number>;
  picsiClaim(...args: string[]): Promise<[number, ...string[]] | null>;
  picsiEpoch(...args: string[]): Promise<string>;
  picsiRestore(...args: string[]): Promise<number>;
  picsiRenew(...args: string[]): Promise<string | number>;
  picsiUpdate(...args: string[]): Promise<string | null>;
  picsiDiscard(...args: string[]): Promise<number>;
};

/** A reply that is not the record asked for: the connection is out of step (see redis-availability). */
export class ReplyOutOfStep extends Error {
  override readonly name = 'ReplyOutOfStep';
}

/** cjson writes an empty array as {}; the job model wants arrays. `expectedId` checks the reply is the record asked for. */
export function decodeJob(raw: string, expectedId?: string): Job {
  const job = JSON.parse(raw) as Job;
  if (typeof job !== 'object' || job === null || typeof job.id !== 'string' || (expectedId !== undefined && job.id !== expectedId)) {
    throw new ReplyOutOfStep(`expected job ${expectedId ?? '(any)'}, got another reply`);
  }
  if (!Array.isArray(job.attachments)) job.attachments = [];
  return job;
}

export async function createRedisCoordinator(options: { url: string; prefix: string; logger: Logger; leaseTtlMs: number }): Promise<Coordinator> {
  const { prefix: p, logger } = options;
  // socketTimeout: a black-holed connection is dropped and re-established, not left with replies
  // out of step with the commands that timed out on it.
  const commands = new Redis(options.url, { enableOfflineQueue: false, commandTimeout: COMMAND_TIMEOUT_MS, socketTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1, lazyConnect: true }) as Redis & ScriptCommands;
  const subscriber = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: null });
  for (const [name, conn] of [['commands', commands], ['subscriber', subscriber]] as const) {
    conn.on('error', (error: Error) => logger.warn({ err: error.message, connection: name }, 'redis connection error'));
  }
  commands.defineCommand('picsiCreate', { numberOfKeys: 0, lua: CREATE_JOB });
  commands.defineCommand('picsiClaim', { numberOfKeys: 0, lua: CLAIM });
  commands.defineCommand('picsiRenew', { numberOfKeys: 0, lua: RENEW });
  commands.defineCommand('picsiUpdate', { numberOfKeys: 0, lua: UPDATE_JOB });
  commands.defineCommand('picsiDiscard', { numberOfKeys: 0, lua: DISCARD_QUEUED });
  commands.defineCommand('picsiEpoch', { numberOfKeys: 0, lua: ENSURE_EPOCH });
  commands.defineCommand('picsiRestore', { numberOfKeys: 0, lua: RESTORE_JOB });
  await Promise.all([commands.connect(), subscriber.connect()]);

  // Local fan-out: one Redis subscription per event name, any number of local listeners.
  const listeners = new Map<string, Set<(payload: string) => void>>();
  const acknowledged = new Map<string, Promise<unknown>>();
  subscriber.on('message', (channel: string, payload: string) => {
    for (const listener of listeners.get(channel.slice(p.length)) ?? []) listener(payload);
  });
  const reconnectListeners = new Set<() => void>();
  // Registered after the first connect: every 'ready' from here on is a reconnect.
  subscriber.on('ready', () => {
    for (const listener of reconnectListeners) listener();
  });
  // A subscriber sends nothing, so a dead link (a black-holed peer) would go unnoticed and every
  // event after it be lost silently. A PING without an answer replaces the connection; the
  // reconnect tells every watcher to re-read.
  // A reconnect whose ready check got no answer waits forever too: it is replaced the same way.
  let stuckSince: number | null = null;
  const keepalive = setInterval(() => {
    if (subscriber.status === 'ready') {
      stuckSince = null;
      withDeadline(subscriber.ping(), COMMAND_TIMEOUT_MS).catch(() => resetConnection(subscriber));
    } else if (subscriber.status === 'connect' || subscriber.status === 'connecting') {
      stuckSince ??= Date.now();
      if (Date.now() - stuckSince > 2 * COMMAND_TIMEOUT_MS) {
        stuckSince = null;
        resetConnection(subscriber);
      }
    } else {
      stuckSince = null;
    }
  }, Math.min(SUBSCRIBER_PING_MAX_MS, Math.max(250, Math.floor(options.leaseTtlMs / 3))));
  keepalive.unref();

  const nowIso = () => new Date().toISOString();
  /** The epoch this instance works in; a different or missing one means the store lost its data. */
  let knownEpoch: string | null = null;
  const epochIdOf = (raw: string): string => {
    const epoch = JSON.parse(raw) as { id?: unknown; holdUntilMs?: unknown };
    if (typeof epoch.id !== 'string' || typeof epoch.holdUntilMs !== 'number') throw new ReplyOutOfStep('expected the store epoch, got another reply');
    return epoch.id;
  };
  const ensureEpoch = async (): Promise<string> => {
    // Checked on every reaper pass: the usual case is one GET. Only a missing epoch needs Redis's
    // uptime (INFO) and the creating script, which keeps the first epoch written if two race.
    const current = await commands.get(`${p}epoch`);
    if (current) return epochIdOf(current);
    const info = await commands.info('server');
    const uptimeSec = Number(/uptime_in_seconds:(\d+)/.exec(info)?.[1] ?? 0);
    return epochIdOf(await commands.picsiEpoch(p, randomBytes(8).toString('hex'), String(options.leaseTtlMs), String(uptimeSec * 1000)));
  };
  const readAccount = async (channel: string): Promise<AccountRecord | null> => {
    const raw = await commands.get(`${p}account:${channel}`);
    return raw ? (JSON.parse(raw) as AccountRecord) : null;
  };
  const update = async (id: string, change: { from: readonly string[]; patch: JobPatch; token?: string; channel?: string; retentionSec: number }, mode = '') => {
    const out = await commands.picsiUpdate(p, id, change.from.join(','), JSON.stringify(change.patch), change.token ?? '', change.channel ?? '', String(change.retentionSec), nowIso(), mode);
    return out ? decodeJob(out, id) : null;
  };
  const mgetJobs = async (ids: string[]) => (ids.length ? await commands.mget(ids.map((id) => `${p}job:${id}`)) : []).filter((r): r is string => r !== null).map((r) => decodeJob(r));

  const coordinator: Coordinator = {
    async createJob(job: Job, enqueue: boolean) {
      const createdMs = Date.parse(job.created);
      const meta = JSON.stringify({ requestedChannel: job.requestedChannel, instance: job.instance, owner: job.owner });
      await commands.picsiCreate(p, JSON.stringify(job), enqueue ? '1' : '0', meta, String(createdMs), String(createdMs - 40 * 86_400_000));
    },
    async getJob(id) {
      const raw = await commands.get(`${p}job:${id}`);
      return raw ? decodeJob(raw, id) : null;
    },
    getJobs: mgetJobs,
    async queuePosition(id) {
      const rank = await commands.zrank(`${p}queue`, id);
      return rank === null ? null : rank + 1;
    },
    async queueSize(owner) {
      const metas = await commands.hvals(`${p}queue:meta`);
      return { total: metas.length, owner: metas.filter((m) => (JSON.parse(m) as { owner: string }).owner === owner).length };
    },
    async queuedJobs() {
      return mgetJobs(await commands.zrange(`${p}queue`, 0, -1));
    },
    async listJobs(query: ListQuery) {
      const after = query.after ? decodeCursor(query.after) : null;
      const max = after ? String(after.createdMs) : '+inf';
      const collected: Job[] = [];
      for (let offset = 0; offset < LIST_SCAN_LIMIT; offset += LIST_BATCH) {
        const ids = await commands.zrevrangebyscore(`${p}index`, max, '-inf', 'LIMIT', offset, LIST_BATCH);
        collected.push(...(await mgetJobs(ids)));
        if (ids.length < LIST_BATCH || pageJobs(collected, query).hasNextPage) break;
      }
      return pageJobs(collected, query);
    },

    async claim(request: ClaimRequest): Promise<Claimed | null | typeof STORE_LOST> {
      const result = await commands.picsiClaim(
        p, request.channel, request.instance, request.token, String(request.ttlMs), String(request.nowMs), request.day,
        String(request.creditCost), String(request.creditsPerDay), JSON.stringify(request.start), nowIso(),
        JSON.stringify(request.lost.patch), String(request.lost.retentionSec),
      );
      if (!result) return null;
      if (result[0] === -1 || result[1] === undefined) return STORE_LOST;
      const [fence, job, ...reaped] = result;
      return { fence: Number(fence), job: decodeJob(job), reaped: reaped.map((r) => decodeJob(r)) };
    },
    async renew(channel, token, ttlMs) {
      return (await commands.picsiRenew(p, channel, token, String(ttlMs))) === token;
    },
    async lease(channel) {
      const raw = await commands.get(`${p}lease:${channel}`);
      if (!raw) return null;
      const [token, jobId] = raw.split('|');
      return { token: token!, jobId: jobId! };
    },
    updateJob: (id, change) => update(id, change),
    failIfLost: (id, patch, retentionSec) => update(id, { from: ['STARTED'], patch, retentionSec }, 'lost'),
    async discardQueued(id) {
      return (await commands.picsiDiscard(p, id)) === 1;
    },
    async checkStore() {
      const current = await ensureEpoch();
      const previous = knownEpoch;
      knownEpoch = current;
      if (previous !== null && previous !== current) {
        logger.warn({ previousEpoch: previous, epoch: current }, 'the job store (Redis) lost its data: recovering');
        return 'lost';
      }
      return 'same';
    },
    async restoreJob(job, retentionSec) {
      return (await commands.picsiRestore(p, JSON.stringify(job), String(Date.parse(job.created)), String(retentionSec))) === 1;
    },
    async runningJobIds() {
      return commands.smembers(`${p}running`);
    },

    async heartbeat(instance, ttlMs) {
      await commands.set(`${p}instance:${instance}`, '1', 'PX', ttlMs);
    },
    async isAlive(instance) {
      return (await commands.exists(`${p}instance:${instance}`)) === 1;
    },

    async upsertAccount(account: DiscordAccount, opts = {}) {
      const previous = await readAccount(account.channel);
      const keep = opts.keepState && previous;
      const record: AccountRecord = {
        channel: account.channel, server: account.server, discord: account.discord, ...(account.label ? { label: account.label } : {}),
        enabled: keep ? previous.enabled : true,
        disabledReason: keep ? previous.disabledReason : null,
        cooldownUntil: previous?.cooldownUntil ?? 0,
        exhaustedDay: keep ? previous.exhaustedDay : null,
      };
      await commands.multi().set(`${p}account:${account.channel}`, JSON.stringify(record)).sadd(`${p}accounts`, account.channel).publish(`${p}freed`, account.channel).exec();
      return record;
    },
    getAccount: readAccount,
    async listAccounts() {
      const channels = await commands.smembers(`${p}accounts`);
      const raws = channels.length ? await commands.mget(channels.map((c) => `${p}account:${c}`)) : [];
      return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as AccountRecord);
    },
    async deleteAccount(channel) {
      const [[, deleted] = []] = (await commands.multi().del(`${p}account:${channel}`).srem(`${p}accounts`, channel).exec()) ?? [];
      return deleted === 1;
    },
    async setAccountState(channel, state) {
      const record = await readAccount(channel);
      if (record) await commands.set(`${p}account:${channel}`, JSON.stringify({ ...record, ...state }));
    },
    async creditsUsed(channel, day) {
      return Number((await commands.get(`${p}credits:${channel}:${day}`)) ?? 0);
    },

    async publish(event, payload) {
      await commands.publish(p + event, payload);
    },
    async subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        acknowledged.set(event, subscriber.subscribe(p + event));
      }
      set.add(listener);
      await acknowledged.get(event);
      return async () => {
        const current = listeners.get(event);
        if (!current?.delete(listener) || current.size > 0) return;
        listeners.delete(event);
        acknowledged.delete(event);
        if (subscriber.status === 'ready') await subscriber.unsubscribe(p + event);
      };
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },

    async ping() {
      const reply = await commands.ping().catch((error: unknown) => {
        resetIfOutOfStep(commands, error);
        return null;
      });
      return reply === 'PONG';
    },
    async close() {
      clearInterval(keepalive);
      listeners.clear();
      reconnectListeners.clear();
      commands.disconnect();
      subscriber.disconnect();
    },
  };
  knownEpoch = await ensureEpoch();
  return guardedByAvailability(coordinator, commands, COMMAND_TIMEOUT_MS, ['close', 'onReconnect', 'ping', 'subscribe']);
}
