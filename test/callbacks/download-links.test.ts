import { describe, expect, it } from 'vitest';
import { toHostedJson } from '../../src/callbacks/index.js';
import { withDownloadLinks } from '../../src/callbacks/download-links.js';
import type { Job } from '../../src/jobs/model.js';
import { sampleJob } from './helpers.js';

const link = { url: 'https://api.example.com/files/results/r1?sig=x', expiresAt: '2025-01-02T04:04:12.345Z' };
const stored = (job: Job): Job => ({
  ...job,
  attachments: job.attachments.map((a) => ({ ...a, copy: { state: 'STORED' as const, key: 'results/r1', error: null } })),
});
const bodyOf = (job: Job) => JSON.stringify(toHostedJson(job));

describe('callback bodies carry the link to our stored copy', () => {
  it('adds download to each attachment of a completed job with a stored copy, keeping every other field', async () => {
    const job = stored(sampleJob({ id: 'job-1' }));
    const asked: Job[] = [];
    const body = await withDownloadLinks(bodyOf(job), job, async (j) => {
      asked.push(j);
      return [link];
    });
    const parsed = JSON.parse(body) as ReturnType<typeof toHostedJson> & { attachments: { download: unknown }[] };
    expect(asked).toEqual([job]);
    expect(parsed.attachments[0]!.download).toEqual(link);
    const { attachments, ...rest } = parsed;
    const { attachments: original, ...originalRest } = toHostedJson(job);
    expect(rest).toEqual(originalRest);
    expect(attachments.map(({ download: _d, ...a }) => a)).toEqual(original);
  });

  it('says null where a copy failed, beside one that is stored', async () => {
    const base = sampleJob({ id: 'job-2' });
    const [first] = base.attachments;
    const job: Job = {
      ...base,
      attachments: [
        { ...first!, copy: { state: 'STORED', key: 'results/a', error: null } },
        { ...first!, id: 'second', copy: { state: 'FAILED', key: null, error: 'CDN 404' } },
      ],
    };
    const body = await withDownloadLinks(bodyOf(job), job, async () => [link, null]);
    expect((JSON.parse(body) as { attachments: { download: unknown }[] }).attachments.map((a) => a.download)).toEqual([link, null]);
  });

  it('leaves the body as it is for a job without a stored copy, a failed job, or without a link maker', async () => {
    const never = async (): Promise<never> => {
      throw new Error('no link should be made');
    };
    const uncopied = sampleJob({ id: 'job-3' });
    expect(await withDownloadLinks(bodyOf(uncopied), uncopied, never)).toBe(bodyOf(uncopied));
    const failed = stored(sampleJob({ id: 'job-4', status: 'FAILED', code: 'BOT_ERROR' }));
    expect(await withDownloadLinks(bodyOf(failed), failed, never)).toBe(bodyOf(failed));
    const copied = stored(sampleJob({ id: 'job-5' }));
    expect(await withDownloadLinks(bodyOf(copied), copied, undefined)).toBe(bodyOf(copied));
  });
});
