/** The embedded store's journal: replay, compaction, a torn last line, the directory lock. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalLocked, openJournal } from '../../src/executor/store/embedded/disk-journal.js';
import { createMemoryCoordinator } from '../../src/executor/store/embedded/coordinator.js';
import { newJob } from './coordinator-backends.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'picsi-journal-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('journal', () => {
  it('compacts while running once the appended lines outgrow the snapshot, keeping the latest records', async () => {
    const dir = tempDir();
    const journal = openJournal(dir, { compactMinBytes: 20_000 });
    const coordinator = createMemoryCoordinator({ journal });
    const job = newJob();
    await coordinator.createJob(job, true);
    for (let i = 0; i < 200; i++)
      await coordinator.upsertAccount({ channel: '100000000000000001', server: 'srv', discord: `token-${i}-0123456789` });
    expect(statSync(join(dir, 'jobs', 'journal.jsonl')).size).toBeLessThan(25_000);
    journal.close();

    const reopened = createMemoryCoordinator({ journal: openJournal(dir) });
    expect(await reopened.getJob(job.id)).toEqual(job);
    expect(await reopened.queuePosition(job.id)).toBe(1);
    expect(await reopened.getAccount('100000000000000001')).toMatchObject({ discord: 'token-199-0123456789' });
  });

  it('skips a torn last line (the process died mid-write) and drops expired jobs at start', async () => {
    const dir = tempDir();
    const journal = openJournal(dir);
    const coordinator = createMemoryCoordinator({ journal });
    const [kept, expired] = [newJob(), newJob()];
    await coordinator.createJob(kept, true);
    await coordinator.restoreJob({ ...expired, status: 'COMPLETED' }, 0);
    journal.close();
    appendFileSync(join(dir, 'jobs', 'journal.jsonl'), '{"job":{"id":"half');

    const reopened = createMemoryCoordinator({ journal: openJournal(dir) });
    expect((await reopened.listJobs({ first: 10 })).edges.map((e) => e.job.id)).toEqual([kept.id]);
    expect(readFileSync(join(dir, 'jobs', 'journal.jsonl'), 'utf8')).not.toContain('half');
  });

  it('refuses a directory locked by a live process, and takes over the lock of a dead one', () => {
    const dir = tempDir();
    const first = openJournal(dir);
    first.close();
    writeFileSync(join(dir, 'jobs', 'lock'), String(process.ppid));
    expect(() => openJournal(dir)).toThrow(JournalLocked);
    expect(() => openJournal(dir)).toThrow(/another picsi-graphql process \(pid \d+\) uses the data directory/);
    writeFileSync(join(dir, 'jobs', 'lock'), '999999999');
    const taken = openJournal(dir);
    expect(() => openJournal(dir)).toThrow(/already open in this process/);
    taken.close();
  });
});
