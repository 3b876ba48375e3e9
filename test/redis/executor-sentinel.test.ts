/**
 * The executor under Sentinel (REDIS_SENTINELS): a primary, one replica, three sentinels; two server
 * processes share one simulator. The primary is SIGKILLed under load (jobs running and queued)
 * after its replica fell behind (SIGSTOPped while a few jobs finished: the writes acknowledged
 * meanwhile are exactly what asynchronous replication loses). After the failover the service
 * resumes on the promoted replica without a process exit, and every job in the store ends
 * terminal, including those whose last writes were rolled back. What was lost is counted.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { filesUnder } from '../helpers/files.js';
import {
  followJob,
  maxInFlight,
  startFleet,
  submitJob,
  TERMINAL,
  type Fleet,
  type Followed,
  type JobState,
  type Refusals,
} from '../helpers/ha-load.js';
import { startRedisSentinel, type Failover, type RedisSentinelRig } from '../helpers/redis-sentinel.js';

const BEFORE = 18;
const AFTER = 6;
const CHANNELS = 3;
/** Jobs that finish while the replica is paused: their terminal writes are lost with the primary. */
const WHILE_PAUSED = 3;
/** The bot's delay once the first jobs are done: 15 jobs left on 3 channels take at least 2 s. */
const SLOW_BOT_DELAY_MS = 400;
const prefix = `sentinel:${randomUUID()}:`;
let rig: RedisSentinelRig;
let fleet: Fleet;

beforeAll(async () => {
  rig = await startRedisSentinel();
  fleet = await startFleet(
    { REDIS_SENTINELS: rig.endpoints.map((e) => `${e.host}:${e.port}`).join(','), REDIS_SENTINEL_NAME: rig.name, REDIS_PREFIX: prefix },
    { instances: 2, channels: CHANNELS, botDelayMs: 150, jobTimeoutMs: 6000 },
  );
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
  await rig?.stop();
});

/** Resolves once `count` more jobs reached a terminal state (as their subscribers saw it). */
function terminalCounter() {
  let seen = 0;
  const waiters: { at: number; resolve: () => void }[] = [];
  return {
    onTerminal: () => {
      seen++;
      for (const w of waiters.filter((w) => seen >= w.at)) w.resolve();
    },
    more: (count: number) => new Promise<void>((resolve) => void waiters.push({ at: seen + count, resolve })),
  };
}

it('SIGKILL of the primary with jobs running and queued and the replica behind: service resumes, every stored job ends terminal, losses counted', async () => {
  const urls = fleet.servers.map((s) => s.url);
  const refusals: Refusals = {};
  const counter = terminalCounter();
  const firstDone = counter.more(3);
  const submitAndFollow = async (i: number) => {
    const id = await submitJob(urls[i % urls.length]!, refusals);
    return { id, followed: followJob(urls, id, i + 1, counter.onTerminal) };
  };
  const before = await Promise.all(Array.from({ length: BEFORE }, (_, i) => submitAndFollow(i)));
  await firstDone;
  // The jobs still queued must outlast filling the replication buffers, however loaded the machine:
  // otherwise all of them may end before the pause waits for WHILE_PAUSED more, and it waits forever.
  fleet.simulator.setBotDelay(SLOW_BOT_DELAY_MS);

  const failover: Failover = await rig.killPrimaryAndAwaitFailover({
    whileReplicaPaused: async () => {
      // A paused replica still receives what fits in the socket buffers: fill them first, so the
      // jobs' writes that follow stay in the primary's output buffer and die with it.
      await fillReplicationBuffers(rig.primary.client());
      await counter.more(WHILE_PAUSED);
    },
  });
  const after = await Promise.all(Array.from({ length: AFTER }, (_, i) => submitAndFollow(BEFORE + i))).catch((error: unknown) => {
    printServerWarnings();
    throw error;
  });

  const runs = [...before, ...after];
  const first = await Promise.all(runs.map(async (r) => ({ id: r.id, followed: await r.followed })));
  // A second subscription per job: it starts with the stored state and ends once that is terminal,
  // so a job whose terminal write was rolled back is followed until it is settled again.
  const final = await Promise.all(
    first.map(async (r, i): Promise<{ id: string; first: Followed; final: Followed }> => ({
      ...r,
      first: r.followed,
      final: r.followed.missing ? r.followed : await followJob(urls, r.id, i),
    })),
  );

  const missing = final.filter((r) => r.final.missing).map((r) => r.id);
  const stored = final.filter((r) => !r.final.missing).map((r) => r.final.events.at(-1)!);
  const rolledBack = final.filter((r) => !r.final.missing && !sameState(r.first.events.at(-1), r.final.events.at(-1)));
  const outcomes: Record<string, number> = {};
  for (const job of stored)
    outcomes[job.status === 'COMPLETED' ? 'COMPLETED' : `${job.status} ${job.code}`] =
      (outcomes[job.status === 'COMPLETED' ? 'COMPLETED' : `${job.status} ${job.code}`] ?? 0) + 1;
  console.log(
    'Sentinel failover under load:',
    JSON.stringify({
      failoverMs: failover.elapsedMs,
      jobs: runs.length,
      outcomes,
      missingAfterFailover: missing.length,
      terminalStateRolledBack: rolledBack.map(
        (r) =>
          `${r.first.events.at(-1)?.status} v${r.first.events.at(-1)?.version} -> ${r.final.events.at(-1)?.status} ${r.final.events.at(-1)?.code ?? ''} v${r.final.events.at(-1)?.version}`,
      ),
      refusals,
      maxInFlight: maxInFlight(fleet),
      spoolFilesLeft: filesUnder(fleet.spoolDir).length,
    }),
  );

  if (process.env['HA_DEBUG']) {
    for (const r of final)
      console.log(
        r.id,
        r.first.events.map((e) => `${e.status}${e.code ? ' ' + e.code : ''} v${e.version}`).join(' > '),
        '||',
        r.final.events.map((e) => `${e.status}${e.code ? ' ' + e.code : ''} v${e.version}`).join(' > '),
      );
    printServerWarnings();
  }
  expect(failover.primary.port).toBe(rig.replica.port);
  expect(fleet.servers.every((s) => s.child.exitCode === null && s.child.signalCode === null)).toBe(true);
  // Every job the store still has is terminal; the jobs submitted after the failover completed.
  expect(stored.every((j) => TERMINAL.has(j.status))).toBe(true);
  expect(final.slice(BEFORE).map((r) => r.final.events.at(-1)?.status)).toEqual(after.map(() => 'COMPLETED'));
  // Writes were lost (the replica was behind): at least the terminal states written while it was paused.
  expect(rolledBack.length + missing.length).toBeGreaterThanOrEqual(1);
}, 60_000);

/** The servers' warn and error lines, to diagnose a failure (or with HA_DEBUG=1). */
function printServerWarnings(): void {
  for (const server of fleet.servers)
    console.log(
      server.logs
        .filter((l) => /"level":(40|50)/.test(l))
        .map((l) => l.slice(0, 600))
        .join('\n'),
    );
}

/** 32 MB of unrelated writes (outside the executor's keys), pipelined. */
async function fillReplicationBuffers(primary: Redis): Promise<void> {
  const value = 'x'.repeat(64 * 1024);
  const pipeline = primary.pipeline();
  for (let i = 0; i < 512; i++) pipeline.set(`filler:${i}`, value);
  await pipeline.exec();
}

const sameState = (a: JobState | undefined, b: JobState | undefined) => a?.status === b?.status && a?.version === b?.version;
