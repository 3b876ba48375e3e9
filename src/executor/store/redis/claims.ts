/**
 * The Redis coordinator's claims and leases (ClaimStore): the requests as script arguments
 * (lua/claim-18.lua, lua/peek-next-12.lua, lua/reap-10.lua, the lease scripts) and their replies as
 * results. The scripts run through the store's `runWrite`, which adds the standard KEYS and ARGV of
 * every job write.
 */
import type { ClaimRequest, ClaimResult, ClaimStore, PeekRequest, ReapRequest, ReapResult } from '../port.js';
import { EVENT_QUEUE, gateOf, STORE_LOST } from '../port.js';
import type { Job } from '../../../jobs/model.js';
import { decodeJob, ReplyOutOfStep } from '../../../redis/job-json.js';
import { publish } from '../../../redis/pubsub.js';
import type { ExecutorKeys } from '../keys.js';
import { jobOrNull, type RedisStore, type RunWrite } from './context.js';

export async function claimOnRedis(runWrite: RunWrite, keys: ExecutorKeys, request: ClaimRequest): Promise<ClaimResult> {
  const { channel } = request;
  const reply = await runWrite(
    'claim',
    [
      keys.epoch,
      keys.account(channel),
      keys.credits(channel, request.day),
      keys.commands(channel, gateOf(request).commandDay),
      keys.queueRounds,
      keys.reserve,
      keys.reserved,
      keys.tokenCredits(request.day),
    ],
    [
      channel,
      request.token,
      request.ttlMs,
      request.day,
      request.creditCost,
      request.creditsPerDay,
      JSON.stringify(request.start),
      JSON.stringify(request.lost.patch),
      request.lost.retentionSec,
      request.lost.jobTimeoutMs,
      request.acceptedBy ?? '',
      request.recordsCommands ? '1' : '0',
      JSON.stringify(gateOf(request)),
    ],
    request.nowMs,
  );
  if (!Array.isArray(reply) || reply.length === 0) throw new ReplyOutOfStep('expected a claim reply, got another reply');
  const [kind, value, ...rest] = reply as [number, unknown, ...string[]];
  const reaped = rest.map((r) => decodeJob(r));
  switch (Number(kind)) {
    case -1:
      return STORE_LOST;
    case 0:
    case 1:
      return { job: decodeJob(value), adopted: Number(kind) === 1, reaped };
    case 2:
      return { missed: 'empty', queued: Number(value), reaped };
    case 3:
      return { missed: 'held', leftMs: Number(value), reaped };
    case 4:
      return { missed: 'ineligible', retryInMs: Number(value) > 0 ? Number(value) : null, reaped };
    default:
      throw new ReplyOutOfStep(`unexpected claim reply kind ${String(kind)}`);
  }
}

export async function peekOnRedis(runWrite: RunWrite, keys: ExecutorKeys, request: PeekRequest): Promise<Job | null> {
  const reply = await runWrite(
    'peek-next',
    [keys.credits(request.channel, request.day), keys.reserve],
    [request.channel, request.creditCost, request.creditsPerDay, request.acceptedBy ?? '', JSON.stringify(request.passOver ?? [])],
  );
  return reply ? decodeJob(reply) : null;
}

/** Reaps; requeued jobs moved the queue, so its subscribers are told (`publishQueue`). */
export async function reapOnRedis(runWrite: RunWrite, request: ReapRequest, publishQueue: () => Promise<void>): Promise<ReapResult> {
  const out = (await runWrite(
    'reap',
    [],
    [
      JSON.stringify(request.lost.patch),
      request.lost.retentionSec,
      request.lost.jobTimeoutMs,
      request.limit,
      request.copies?.token ?? '',
      request.copies?.ttlMs ?? 0,
    ],
    request.nowMs,
  )) as [number, number, number, ...string[]];
  const [more, failedCount, copiesCount, ...jobs] = out;
  const decoded = jobs.map((r) => decodeJob(r));
  const failed = Number(failedCount);
  const copies = decoded.slice(failed, failed + Number(copiesCount));
  const requeued = decoded.slice(failed + Number(copiesCount));
  if (requeued.length > 0) await publishQueue();
  return { more: Number(more) === 1, failed: decoded.slice(0, failed), copies, requeued };
}

export function redisClaims({ commands, keys, scripts, runWrite }: RedisStore): ClaimStore {
  return {
    claim: (request) => claimOnRedis(runWrite, keys, request),
    peekNext: (request) => peekOnRedis(runWrite, keys, request),
    async renew(channel, token, ttlMs) {
      return (await scripts.run('renew', [keys.lease(channel), keys.running], [token, ttlMs])) === token;
    },
    async lease(channel) {
      const raw = await commands.get(keys.lease(channel));
      if (!raw) return null;
      const [token, jobId] = raw.split('|');
      return { token: token!, jobId: jobId! };
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
  };
}
