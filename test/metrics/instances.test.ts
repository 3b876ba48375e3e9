/** Two instances on one Redis: counters add up to the jobs run (sum()), shared gauges agree (max()). */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSimulator } from '../../src/simulator/index.js';
import { PICSI_MUTATION, postMultipart } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { parseExposition, valueOf, type Sample } from './exposition.js';

let simulator: DiscordSimulator;
let a: Stack;
let b: Stack;
let png: Buffer;
beforeAll(async () => {
  simulator = await DiscordSimulator.start({ botDelayMs: 0 });
  const accounts = [simulator.createAccount(), simulator.createAccount()];
  const env = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `test:${randomUUID()}:` };
  a = await startStack({ simulator, accounts, env });
  b = await startStack({ simulator, accounts, env });
  png = await makePng(32, 32);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await simulator?.close();
});

const runJob = async (stack: Stack) => {
  const res = await postMultipart<{ picsi: { status: string } }>(
    stack.url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null, wait: true } },
    {
      'input.sourceImage': { bytes: png, filename: 'a.png', type: 'image/png' },
      'input.targetImage': { bytes: png, filename: 'b.png', type: 'image/png' },
    },
  );
  return res.body.data?.picsi.status;
};

/** Resolves once `count` jobs reached their terminal state on `stack` (after its metrics saw them). */
const terminalOn = (stack: Stack, count: number) =>
  new Promise<void>((resolve) => {
    let seen = 0;
    const stop = stack.services.jobs.onTerminal(() => {
      if (++seen === count) resolve(stop());
    });
  });

const samplesOf = async (stack: Stack): Promise<Sample[]> =>
  parseExposition(await (await fetch(new URL('/metrics', stack.url))).text()).samples;

describe('metrics across two instances', () => {
  it('each instance counts the jobs it ran; the shared channel gauges read the same on both', async () => {
    const doneOnA = terminalOn(a, 2);
    const doneOnB = terminalOn(b, 1);
    expect([await runJob(a), await runJob(b), await runJob(a)]).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    await Promise.all([doneOnA, doneOnB]);

    const [onA, onB] = await Promise.all([samplesOf(a), samplesOf(b)]);
    const completed = { status: 'COMPLETED', code: 'NONE' };
    expect([valueOf(onA, 'picsi_jobs_accepted_total'), valueOf(onB, 'picsi_jobs_accepted_total')]).toEqual([2, 1]);
    expect([valueOf(onA, 'picsi_jobs_finished_total', completed), valueOf(onB, 'picsi_jobs_finished_total', completed)]).toEqual([2, 1]);
    expect([valueOf(onA, 'picsi_job_run_seconds_count'), valueOf(onB, 'picsi_job_run_seconds_count')]).toEqual([2, 1]);
    for (const samples of [onA, onB]) {
      expect(valueOf(samples, 'picsi_channels_total')).toBe(2);
      expect(valueOf(samples, 'picsi_channels_busy')).toBe(0);
    }
  });
});
