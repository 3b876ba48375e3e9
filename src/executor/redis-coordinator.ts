/**
 * The Redis coordinator: shared by every instance. Each change is one Lua script (./lua, loaded by
 * src/redis/scripts.ts) over the keyspace of ./keys.ts. Both connections come from the factory
 * (src/redis/connect.ts: one primary, Sentinel or Cluster): commands over the `commands` role
 * (offline queue off and a command timeout: a lock command queued during an outage and sent later
 * would leave an orphan lease), events over a `subscriber` connection (./redis-events.ts). Scripts
 * publish with the topology's command (SPUBLISH on a Cluster, src/redis/pubsub.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { DiscordAccount } from '../discord/types.js';
import { activeHealth, HELD_STATES } from '../jobs/account.js';
import { NEXT_STATUSES, type Job } from '../jobs/model.js';
import { createRedisClient, isCluster } from '../redis/connect.js';
import { publish, publishCommand } from '../redis/pubsub.js';
import { COMMAND_TIMEOUT_MS } from '../redis/roles.js';
import { defineScripts, type ScriptArg } from '../redis/scripts.js';
import type { RedisConnectionConfig } from '../redis/settings.js';
import {
  EVENT_ACCOUNTS,
  EVENT_QUEUE,
  utcDay,
  type AdmissionTerms,
  type AdmitResult,
  type CallbackTaskRule,
  type Coordinator,
  type HealthSwap,
  type JobWrite,
  type ListQuery,
} from './coordinator.js';
import { comparePlaces, positionsOf, type QueueEntry } from './fair-queue.js';
import { executorKeys, indexNameOf } from './keys.js';
import { cursorOf, entryOfCursor } from './service/paging.js';
import { decodeJob, ReplyOutOfStep } from '../redis/job-json.js';
import { guardedByAvailability, resetIfOutOfStep } from './redis-availability.js';
import { accountOfFields, identityFieldsOf } from './account-record.js';
import { claimOnRedis, peekOnRedis, reapOnRedis } from './redis-claims.js';
import { createRedisEvents } from './redis-events.js';

const SCRIPTS = [
  'create-job',
  'claim',
  'renew',
  'update-job',
  'mark-command-sent',
  'reap',
  'discard-queued',
  'restore-job',
  'ensure-epoch',
  'list-jobs',
  'queue-position',
  'upsert-account',
  'set-account-health',
  'set-foreign-command',
  'hand-back',
  'peek-next',
  'left-queue',
  'recount-reservations',
  'release-for-copy',
] as const;
const TRANSITIONS = JSON.stringify(NEXT_STATUSES);
/** Listing indexes keep entries this much past the retention (a job expires retention after it ends). */
const INDEX_SLACK_MS = 7 * 86_400_000;

export interface RedisCoordinatorOptions {
  redis: RedisConnectionConfig;
  prefix: string;
  logger: Logger;
  leaseTtlMs: number;
  /** JOB_RETENTION_DAYS: listing index entries older than this (and a week) are trimmed. Default 31. */
  retentionDays?: number;
  /** Callback tasks created with terminal states. Default: only for jobs with a replyUrl. */
  callbacks?: CallbackTaskRule;
  now?: () => number;
}

export async function createRedisCoordinator(options: RedisCoordinatorOptions): Promise<Coordinator> {
  const { logger } = options;
  const keys = executorKeys(options.prefix);
  const commands = createRedisClient(options.redis, 'commands', { connectionName: 'picsi:executor:commands' });
  const subscriber = createRedisClient(options.redis, 'subscriber', { connectionName: 'picsi:executor:events' });
  for (const [name, conn] of [
    ['commands', commands],
    ['subscriber', subscriber],
  ] as const) {
    conn.on('error', (error: Error) => logger.warn({ err: error.message, connection: name }, 'redis connection error'));
  }
  const scripts = defineScripts(commands, 'picsi', new URL('./lua/', import.meta.url), SCRIPTS);
  const events = createRedisEvents(subscriber, {
    channelOf: keys.event,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    leaseTtlMs: options.leaseTtlMs,
    probeId: randomBytes(6).toString('hex'),
  });
  await Promise.all([commands.connect(), events.connect()]);

  /** The standard KEYS and ARGV of every script that writes a job (lua/includes/job-writes.lua). */
  const jobKeys = [
    keys.jobPrefix,
    keys.leasePrefix,
    keys.holderPrefix,
    keys.queuePrefix,
    keys.queueSeq,
    keys.running,
    keys.indexPrefix,
    keys.callbackTaskPrefix,
    keys.callbackDue,
    keys.queueChannels,
  ];
  const now = options.now ?? Date.now;
  const publishWith = publishCommand(commands);
  const writeArgs = (nowMs = now()): ScriptArg[] => [
    keys.event(''),
    new Date(nowMs).toISOString(),
    options.callbacks?.defaultUrl ?? '',
    nowMs,
    publishWith,
  ];
  const runWrite = (name: (typeof SCRIPTS)[number], extraKeys: string[], args: ScriptArg[], nowMs?: number) =>
    scripts.run(name, [...jobKeys, ...extraKeys], [...writeArgs(nowMs), ...args]);
  const jobOrNull = (out: unknown, id: string) => (out ? decodeJob(out, id) : null);

  /** The epoch this instance works in; a different or missing one means the store lost its data. */
  let knownEpoch: string | null = null;
  const epochIdOf = (raw: unknown): string => {
    const epoch = (typeof raw === 'string' ? JSON.parse(raw) : null) as { id?: unknown; holdUntilMs?: unknown } | null;
    if (typeof epoch?.id !== 'string' || typeof epoch.holdUntilMs !== 'number')
      throw new ReplyOutOfStep('expected the store epoch, got another reply');
    return epoch.id;
  };
  const ensureEpoch = async (): Promise<string> => {
    // Checked on every reaper pass: the usual case is one GET. Only a missing epoch needs the
    // creating script (it reads Redis's uptime), which keeps the first epoch written if two race.
    const current = await commands.get(keys.epoch);
    if (current) return epochIdOf(current);
    return epochIdOf(await scripts.run('ensure-epoch', [keys.epoch], [randomBytes(8).toString('hex'), options.leaseTtlMs]));
  };
  const mgetJobs = async (ids: string[]) =>
    (ids.length ? await commands.mget(ids.map(keys.job)) : []).filter((r): r is string => r !== null).map((r) => decodeJob(r));
  const readAccount = async (channel: string) => accountOfFields(await commands.hgetall(keys.account(channel)));
  const fieldsOf = (flat: string[]) => Object.fromEntries(flat.flatMap((f, i) => (i % 2 === 0 ? [[f, flat[i + 1]!]] : [])));
  /** Every queued job's place and channel: one read of every queue. */
  const queueEntries = async (): Promise<QueueEntry[]> => {
    const channels: (string | null)[] = [null, ...(await commands.smembers(keys.queueChannels))];
    const pipeline = commands.pipeline();
    for (const channel of channels) pipeline.zrange(channel === null ? keys.anyQueue : keys.channelQueue(channel), 0, -1, 'WITHSCORES');
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([error, flat], i) => {
      if (error) throw error;
      const entries = flat as string[];
      return entries.flatMap((id, j) => (j % 2 === 0 ? [{ id, round: Number(entries[j + 1]), channel: channels[i]! }] : []));
    });
  };
  /** create-job: a new job, enqueued at its place, with admission terms or none (''). */
  const createWith = async (job: Job, enqueue: boolean, terms: AdmissionTerms | null) => {
    const cutoff = new Date(Date.parse(job.created) - (options.retentionDays ?? 31) * 86_400_000 - INDEX_SLACK_MS).toISOString();
    const day = terms?.day ?? utcDay(now());
    return (await runWrite(
      'create-job',
      [keys.queueRounds, keys.reserve, keys.reserved, keys.tokenCredits(day), keys.creditsPrefix],
      [JSON.stringify(job), enqueue ? '1' : '0', cutoff, terms ? JSON.stringify(terms) : ''],
    )) as [number, string | number, number, number?];
  };

  const coordinator: Coordinator = {
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
    async getJob(id) {
      return jobOrNull(await commands.get(keys.job(id)), id);
    },
    getJobs: mgetJobs,
    async queuePosition(id) {
      const position = await scripts.run('queue-position', [keys.queueSeq, keys.queuePrefix, keys.queueChannels, keys.jobPrefix], [id]);
      return position === null ? null : Number(position);
    },
    async queuePositions() {
      return positionsOf(await queueEntries());
    },
    peekNext: (request) => peekOnRedis(runWrite, keys, request),
    async queueSize(owner) {
      const [total, mine] = await Promise.all([
        commands.zcard(keys.indexPrefix + indexNameOf({ status: 'QUEUED' })),
        commands.zcard(keys.indexPrefix + indexNameOf({ owner, status: 'QUEUED' })),
      ]);
      return { total, owner: mine };
    },
    async queuedJobs() {
      return mgetJobs((await queueEntries()).sort(comparePlaces).map((e) => e.id));
    },
    async listJobs(query: ListQuery) {
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
    },

    claim: (request) => claimOnRedis(runWrite, keys, request),
    async renew(channel, token, ttlMs) {
      return (await scripts.run('renew', [keys.lease(channel), keys.running], [token, ttlMs])) === token;
    },
    async lease(channel) {
      const raw = await commands.get(keys.lease(channel));
      if (!raw) return null;
      const [token, jobId] = raw.split('|');
      return { token: token!, jobId: jobId! };
    },
    async updateJob(id, write: JobWrite) {
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
    },
    async releaseForCopy(id, release) {
      const args = [
        id,
        release.channel,
        release.token,
        JSON.stringify(release.copy),
        release.copyToken,
        release.ttlMs,
        release.pace ? release.pace.readyAt : '',
      ];
      return jobOrNull(await runWrite('release-for-copy', [keys.accountPrefix], args), id);
    },
    async markCommandSent(id, channel, token, command) {
      return jobOrNull(await runWrite('mark-command-sent', [], [id, channel, token, JSON.stringify(command)]), id);
    },
    async handBack(id, channel, token) {
      return jobOrNull(await runWrite('hand-back', [], [id, channel, token]), id);
    },
    reap: (request) =>
      reapOnRedis(runWrite, request, async () => {
        await publish(commands, keys.event(EVENT_QUEUE), '');
      }),
    async discardQueued(id) {
      return (await runWrite('discard-queued', [keys.reserve, keys.reserved], [id])) === 1;
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
      return (await runWrite('restore-job', [keys.queueRounds, keys.reserve, keys.reserved], [JSON.stringify(job), retentionSec])) === 1;
    },

    async heartbeat(instance, ttlMs) {
      await commands.set(keys.instance(instance), '1', 'PX', ttlMs);
    },
    async isAlive(instance) {
      return (await commands.exists(keys.instance(instance))) === 1;
    },

    async upsertAccount(account: DiscordAccount, opts = {}) {
      // An account written before the health states existed keeps what its old fields meant.
      const existing = opts.keepState ? await readAccount(account.channel) : null;
      const fields = (await scripts.run(
        'upsert-account',
        [keys.account(account.channel), keys.accounts],
        [
          keys.event(''),
          account.channel,
          JSON.stringify(identityFieldsOf(account)),
          opts.managed ?? 'API',
          opts.keepState ? '1' : '0',
          publishWith,
          JSON.stringify(activeHealth(now())),
          existing ? JSON.stringify(existing.health) : '',
        ],
      )) as string[];
      const record = accountOfFields(fieldsOf(fields));
      if (!record) throw new ReplyOutOfStep(`expected account ${account.channel}, got another reply`);
      return record;
    },
    getAccount: readAccount,
    async listAccounts() {
      const channels = await commands.smembers(keys.accounts);
      const pipeline = commands.pipeline();
      for (const channel of channels) pipeline.hgetall(keys.account(channel));
      const replies = (await pipeline.exec()) ?? [];
      return replies.map(([, fields]) => accountOfFields(fields as Record<string, string>)).filter((a) => a !== null);
    },
    async deleteAccount(channel) {
      const [[, deleted] = []] = (await commands.multi().del(keys.account(channel)).srem(keys.accounts, channel).exec()) ?? [];
      if (deleted === 1) await publish(commands, keys.event(EVENT_ACCOUNTS), channel);
      return deleted === 1;
    },
    async setAccountHealth(channel, health, unless = []): Promise<HealthSwap | null> {
      const reply = (await scripts.run(
        'set-account-health',
        [keys.account(channel)],
        [keys.event(''), channel, JSON.stringify(health), unless.join(','), publishWith, HELD_STATES.has(health.state) ? '0' : '1'],
      )) as [number, string, ...string[]] | null;
      if (!reply) return null;
      const [applied, previous, ...fields] = reply;
      const record = accountOfFields(fieldsOf(fields));
      if (!record) throw new ReplyOutOfStep(`expected account ${channel}, got another reply`);
      return {
        applied: Number(applied) === 1,
        previous: (accountOfFields({ ...fieldsOf(fields), health: previous }) ?? record).health,
        record,
      };
    },
    async setForeignCommand(channel, foreign, interactionId) {
      await scripts.run(
        'set-foreign-command',
        [keys.account(channel)],
        [keys.event(''), channel, foreign ? JSON.stringify(foreign) : '', interactionId, publishWith],
      );
    },
    async creditsUsed(channel, day) {
      return Number((await commands.get(keys.credits(channel, day))) ?? 0);
    },
    async tokenCreditsUsed(owner, day) {
      return Number((await commands.hget(keys.tokenCredits(day), owner)) ?? 0);
    },
    async recountReservations() {
      await scripts.run('recount-reservations', [keys.reserve, keys.reserved, keys.jobPrefix], []);
    },
    async creditsUsedOn(channels, day) {
      if (channels.length === 0) return [];
      // One MGET: every key carries the executor's hash tag, so a Cluster serves it from one slot.
      const values = await commands.mget(channels.map((channel) => keys.credits(channel, day)));
      return values.map((value) => Number(value ?? 0));
    },

    async commandsStartedOn(accounts) {
      if (accounts.length === 0) return [];
      const values = await commands.mget(accounts.map(({ channel, day }) => keys.commands(channel, day)));
      return values.map((value) => Number(value ?? 0));
    },

    async publish(event, payload) {
      await publish(commands, keys.event(event), payload);
    },
    subscribe: (event, listener) => events.subscribe(event, listener),
    onReconnect: (listener) => events.onReconnect(listener),

    async ping() {
      // On a Cluster a PING goes to any primary: ask the one that serves the executor's slot.
      const reply = await (isCluster(commands) ? commands.exists(keys.epoch).then(() => 'PONG') : commands.ping()).catch(
        (error: unknown) => {
          resetIfOutOfStep(commands, error);
          return null;
        },
      );
      return reply === 'PONG';
    },
    async close() {
      events.close();
      commands.disconnect();
    },
  };
  knownEpoch = await ensureEpoch();
  return guardedByAvailability(coordinator, commands, COMMAND_TIMEOUT_MS, ['close', 'onReconnect', 'ping', 'subscribe']);
}
