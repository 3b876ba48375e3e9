/**
 * A queue that outlasts the day's credits: once no channel a queued job may run on has credits
 * left, the job fails with PAYMENT_REQUIRED and a clear error instead of waiting for 00:00 UTC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal } from '../../src/jobs/model.js';
import type { JobView } from '../../src/jobs/job-service.js';
import { CREDITS_SPENT_ERROR } from '../../src/executor/service/credit-starvation.js';
import { postMultipart, PICSI_MUTATION, submitPicsi } from '../helpers/graphql-http.js';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';

async function finalState(stack: Stack, id: string): Promise<JobView> {
  let last: JobView | undefined;
  for await (const job of stack.services.jobs.watch(id, AbortSignal.timeout(20_000))) {
    last = job;
    if (isTerminal(job.status)) return job;
  }
  throw new Error(`job ${id} ended its watch on ${last?.status ?? 'nothing'}`);
}

describe('credits spent while jobs are queued', () => {
  let stack: Stack;
  let png: Buffer;
  beforeAll(async () => {
    // Two /picsi per day on the one channel (6 credits, 3 each), a bot slow enough that the queue builds.
    stack = await startStack({ botDelayMs: 300, env: { CREDITS_PER_DAY: '6', PICSI_CREDIT_COST: '3', REAPER_INTERVAL_MS: '100' } });
    png = await makePng(16, 16);
  });
  afterAll(() => stack.stop());

  it('the jobs the credits cover complete; the rest fail PAYMENT_REQUIRED; a new job is refused (402)', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await submitPicsi(stack.url, png));
    const ends = await Promise.all(ids.map((id) => finalState(stack, id)));
    expect(ends.map((j) => j.status)).toEqual(['COMPLETED', 'COMPLETED', 'FAILED', 'FAILED']);
    for (const job of ends.slice(2)) {
      expect(job.code).toBe('PAYMENT_REQUIRED');
      expect(job.error).toBe(CREDITS_SPENT_ERROR);
      expect(job.startedAt).toBeNull();
    }

    const refused = await postMultipart(
      stack.url,
      PICSI_MUTATION,
      { input: { sourceImage: null, targetImage: null } },
      {
        'input.sourceImage': { bytes: png, filename: 'a.png', type: 'image/png' },
        'input.targetImage': { bytes: png, filename: 'b.png', type: 'image/png' },
      },
    );
    expect(refused.status).toBe(402);
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('PAYMENT_REQUIRED');
  });
});
