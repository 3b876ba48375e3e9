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
  printServerWarnings,
  settle,
  startFleet,
  submitJob,
  summarize,
  terminalCounter,
  TERMINAL,
  type Fleet,
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
    printServerWarnings(fleet);
    throw error;
  });

  const final = await settle(urls, [...before, ...after]);
  const { missing, stored, rolledBack, outcomes, rolledBackLog } = summarize(final);
  console.log(
    'Sentinel failover under load:',
    JSON.stringify({
      failoverMs: failover.elapsedMs,
      jobs: final.length,
      outcomes,
      missingAfterFailover: missing.length,
      terminalStateRolledBack: rolledBackLog,
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
    printServerWarnings(fleet);
  }
  expect(failover.primary.port).toBe(rig.replica.port);
  expect(fleet.servers.every((s) => s.child.exitCode === null && s.child.signalCode === null)).toBe(true);
  // Every job the store still has is terminal; the jobs submitted after the failover completed.
  expect(stored.every((j) => TERMINAL.has(j.status))).toBe(true);
  expect(final.slice(BEFORE).map((r) => r.final.events.at(-1)?.status)).toEqual(after.map(() => 'COMPLETED'));
  // Writes were lost (the replica was behind): at least the terminal states written while it was paused.
  expect(rolledBack.length + missing.length).toBeGreaterThanOrEqual(1);
}, 60_000);

/** 32 MB of unrelated writes (outside the executor's keys), pipelined. */
async function fillReplicationBuffers(primary: Redis): Promise<void> {
  const value = 'x'.repeat(64 * 1024);
  const pipeline = primary.pipeline();
  for (let i = 0; i < 512; i++) pipeline.set(`filler:${i}`, value);
  await pipeline.exec();
}
