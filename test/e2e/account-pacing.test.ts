/**
 * Pacing against the simulator, in real time: with a minimum gap of 1.5 s and 1 s of jitter, the
 * gaps between the end of one command and the start of the next in the simulator's log are all at
 * least 1.5 s and not all equal; a job waiting for the gap is QUEUED at position 1 with an
 * estimated start inside the gap. (The daily cap and active hours: test/executor/account-pacing.test.ts.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { account, picsi, readJob, runPicsi, until } from './account-helpers.js';

let png: Buffer;
let stack: Stack;
beforeAll(async () => {
  png = await makePng(24, 24);
  stack = await startStack({ channels: 1, env: { ACCOUNT_MIN_GAP_MS: '1500', ACCOUNT_JITTER_MS: '1000' } });
});
afterAll(() => stack.stop());

it('keeps at least the minimum gap between commands, never at a fixed rhythm, and says when a waiting job starts', async () => {
  const channel = stack.accounts[0]!.channelId;
  const jobs = await Promise.all(Array.from({ length: 4 }, () => runPicsi(stack.url, png)));
  for (const job of jobs) expect(job.status).toBe('COMPLETED');
  const log = [...stack.simulator.interactionsLog(channel)].sort((a, b) => a.at - b.at);
  expect(log).toHaveLength(4);
  const gaps = log.slice(1).map((entry, i) => entry.at - log[i]!.endedAt!);
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1500);
  expect(new Set(gaps.map((g) => Math.round(g))).size).toBeGreaterThan(1);

  const paced = await account(stack.url, channel);
  expect(paced.pacing).toMatchObject({ minGapMs: 1500, jitterMs: 1000 });
  expect(Date.parse(paced.pacing.nextCommandAt!)).toBeGreaterThan(Date.now());

  const submitted = Date.now();
  const waiting = (await picsi(stack.url, png)).body.data!.picsi;
  expect(waiting).toMatchObject({ status: 'QUEUED', queuePosition: 1 });
  const estimate = Date.parse(waiting.estimatedStartAt!);
  expect(estimate).toBeGreaterThanOrEqual(submitted);
  expect(estimate).toBeLessThanOrEqual(Date.parse(paced.pacing.nextCommandAt!) + 50);
  await until(async () => (await readJob(stack.url, waiting.id)).status === 'COMPLETED', 'the paced job');
  expect((await readJob(stack.url, waiting.id)).estimatedStartAt).toBeNull();
});
