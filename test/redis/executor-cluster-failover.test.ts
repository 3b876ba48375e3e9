/**
 * The executor on a Redis Cluster with a replica per primary (REDIS_CLUSTER_NODES), the usual
 * managed-Redis failover: the primary serving the executor's slot is SIGKILLed with jobs running
 * and queued; its replica takes over. Two server processes share one simulator. The service
 * resumes without a process exit, every job ends terminal, no channel ever runs two interactions
 * at once, and a subscriber opened after the failover ends on the job's stored state.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashTagOf } from '../../src/redis/hash-tag.js';
import { filesUnder } from '../helpers/files.js';
import {
  followJob,
  maxInFlight,
  printServerWarnings,
  settle,
  startFleet,
  storedJob,
  submitJob,
  summarize,
  terminalCounter,
  TERMINAL,
  type Fleet,
  type Refusals,
} from '../helpers/ha-load.js';
import { startRedisCluster, type RedisClusterRig } from '../helpers/redis-cluster.js';

const BEFORE = 18;
const AFTER = 6;
const CHANNELS = 3;
/** The bot's delay once the first jobs are done: the jobs left are still running and queued at the kill. */
const SLOW_BOT_DELAY_MS = 400;
const prefix = `cluster-failover:${randomUUID()}:`;
let rig: RedisClusterRig;
let fleet: Fleet;

beforeAll(async () => {
  rig = await startRedisCluster({ primaries: 3, replicasPerPrimary: 1 });
  fleet = await startFleet(
    {
      REDIS_CLUSTER_NODES: rig.seeds.map((s) => `${s.host}:${s.port}`).join(','),
      REDIS_PREFIX: prefix,
    },
    { instances: 2, channels: CHANNELS, botDelayMs: 150, jobTimeoutMs: 6000 },
  );
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
  await rig?.stop();
});

it("SIGKILL of the primary serving the executor's slot with jobs running and queued: its replica takes over, every job ends terminal, one interaction per channel, subscribers end on the stored state", async ({
  onTestFailed,
}) => {
  onTestFailed(() => printServerWarnings(fleet));
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
  fleet.simulator.setBotDelay(SLOW_BOT_DELAY_MS);
  const executorKey = `${hashTagOf(prefix)}job:x`;
  const oldOwner = await rig.ownerOf(executorKey);
  const openAtKill = BEFORE - counter.seen();
  const failover = await rig.killOwnerAndAwaitFailover(executorKey);
  const after = await Promise.all(Array.from({ length: AFTER }, (_, i) => submitAndFollow(BEFORE + i)));

  const final = await settle(urls, [...before, ...after]);
  const { missing, stored, outcomes, rolledBackLog } = summarize(final);
  const storedNow = await Promise.all(final.map((r, i) => storedJob(urls[i % urls.length]!, r.id)));
  console.log(
    'Cluster failover under load:',
    JSON.stringify({
      failoverMs: failover.elapsedMs,
      jobs: final.length,
      openAtKill,
      outcomes,
      missingAfterFailover: missing.length,
      terminalStateRolledBack: rolledBackLog,
      refusals,
      maxInFlight: maxInFlight(fleet),
      spoolFilesLeft: filesUnder(fleet.spoolDir).length,
    }),
  );

  expect(failover.ownerPort).not.toBe(oldOwner);
  expect(openAtKill).toBeGreaterThan(CHANNELS);
  expect(fleet.servers.every((s) => s.child.exitCode === null && s.child.signalCode === null)).toBe(true);
  expect(missing).toEqual([]);
  expect(stored.every((j) => TERMINAL.has(j.status))).toBe(true);
  // A subscription opened after the failover ends on the stored state.
  expect(final.map((r) => r.final.events.at(-1))).toEqual(storedNow);
  expect(final.slice(BEFORE).map((r) => r.final.events.at(-1)?.status)).toEqual(after.map(() => 'COMPLETED'));
  expect(maxInFlight(fleet)).toEqual(Array.from({ length: CHANNELS }, () => 1));
}, 90_000);
