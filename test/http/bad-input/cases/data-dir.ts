/**
 * What the embedded store leaves on disk (DD-nn): DATA_DIR owner-only, a deleted account's token
 * gone from the journal at once, sealed account records, bad journal lines skipped and counted, a
 * lock whose pid now belongs to another process taken over, and the orphan sweep after a SIGKILL.
 * Each case sets up its own data directory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { JournalLocked, openJournal } from '../../../../src/executor/store/embedded/disk-journal.js';
import { startTimeOf } from '../../../../src/executor/store/embedded/disk-journal-lock.js';
import { createMemoryCoordinator } from '../../../../src/executor/store/embedded/coordinator.js';
import { FsBlobStore } from '../../../../src/storage/fs-store.js';
import { createLinkSigner } from '../../../../src/storage/signed-links.js';
import { filesUnder, inputBlobsUnder } from '../../../helpers/files.js';
import { postJson, submitPicsi } from '../../../helpers/graphql-http.js';
import { makePng } from '../../../helpers/images.js';
import { startServerProcess } from '../../../helpers/server-process.js';
import { startStack } from '../../../helpers/stack.js';
import { DiscordSimulator } from '../../../../src/simulator/index.js';
import type { Audit, Outcome } from '../audit.js';

export const tempDataDir = () => mkdtempSync(join(tmpdir(), 'picsi-datadir-'));
const CHANNEL = '100000000000000042';
const SECRET_TOKEN = 'discord-user-token-that-must-not-stay-on-disk';

/** Every directory and file under `dir` with its permission bits, as `mode path` lines. */
function modesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.name.startsWith('.tmp'))
    .map((e) => {
      const path = join(e.parentPath, e.name);
      return `${(statSync(path).mode & 0o777).toString(8)} ${e.isDirectory() ? 'dir' : 'file'}`;
    });
}

async function fileModes(): Promise<Outcome> {
  const dataDir = tempDataDir();
  const stack = await startStack({ env: { DATA_DIR: dataDir } });
  try {
    await submitPicsi(stack.url, await makePng(16, 16));
    const modes = new Set(modesUnder(dataDir));
    return { message: [...modes].sort().join(', ') };
  } finally {
    await stack.stop();
  }
}

async function deletedAccountToken(): Promise<Outcome> {
  const dataDir = tempDataDir();
  const stack = await startStack({ env: { DATA_DIR: dataDir } });
  try {
    const journal = join(dataDir, 'jobs', 'journal.jsonl');
    const upsert = `mutation { upsertAccount(input: { channel: "${CHANNEL}", server: "200000000000000042", discord: "${SECRET_TOKEN}" }) { channel } }`;
    await postJson(stack.url, upsert);
    const whileThere = readFileSync(journal, 'utf8').includes(SECRET_TOKEN);
    await postJson(stack.url, `mutation { deleteAccount(channel: "${CHANNEL}") }`);
    const afterDelete = readFileSync(journal, 'utf8').includes(SECRET_TOKEN);
    return { message: `journaled: ${whileThere}, after deleteAccount: ${afterDelete}` };
  } finally {
    await stack.stop();
  }
}

async function sealedAccounts(): Promise<Outcome> {
  const dataDir = tempDataDir();
  const key = 'k'.repeat(40);
  const journal = openJournal(dataDir, { encryptionKey: key });
  await createMemoryCoordinator({ journal }).upsertAccount({
    channel: CHANNEL,
    server: 's',
    discord: SECRET_TOKEN,
    proxy: 'http://user:pw@proxy:8080',
  });
  journal.close();
  const text = readFileSync(join(dataDir, 'jobs', 'journal.jsonl'), 'utf8');
  const reopened = openJournal(dataDir, { encryptionKey: key });
  const account = await createMemoryCoordinator({ journal: reopened }).getAccount(CHANNEL);
  reopened.close();
  let withoutKey = 'opened';
  try {
    openJournal(dataDir).close();
  } catch (error) {
    withoutKey = (error as Error).message;
  }
  return {
    message: `on disk: token ${text.includes(SECRET_TOKEN)}, proxy ${text.includes('pw@proxy')}; read back: ${account?.discord === SECRET_TOKEN}; without the key: ${withoutKey}`,
  };
}

const BAD_LINES = ['null', '42', '{"job":null}', '{"job":{"id":7}}', '{"account":{"token":"x"}}', '{not json', '[1,2]'];

async function badJournalLines(): Promise<Outcome> {
  const dataDir = tempDataDir();
  const first = openJournal(dataDir);
  first.close();
  const path = join(dataDir, 'jobs', 'journal.jsonl');
  writeFileSync(path, `${BAD_LINES.join('\n')}\n${readFileSync(path, 'utf8')}`);
  const server = await startServerProcess({ DATA_DIR: dataDir });
  try {
    const res = await postJson<{ __typename: string }>(server.url, '{ __typename }');
    const warning = server.logs.find((l) => l.includes('invalid lines at replay')) ?? 'no warning';
    return { status: res.status, message: JSON.parse(warning.slice(warning.indexOf('{'))).msg as string };
  } finally {
    await server.kill();
  }
}

/** A lock naming a live process: `sameProcess` with its real start time, else as if its pid had been reused. */
async function lockOfLiveProcess(sameProcess: boolean): Promise<Outcome> {
  const dataDir = tempDataDir();
  openJournal(dataDir).close();
  const other = spawn('sleep', ['30']);
  await new Promise((resolve) => other.once('spawn', resolve));
  try {
    const start = sameProcess ? startTimeOf(other.pid!) : String(Number(startTimeOf(other.pid!)) - 12345);
    writeFileSync(join(dataDir, 'jobs', 'lock'), JSON.stringify({ pid: other.pid, start }));
    const journal = openJournal(dataDir);
    journal.close();
    return { message: 'opened' };
  } catch (error) {
    return { message: error instanceof JournalLocked ? 'JournalLocked' : String(error) };
  } finally {
    other.kill();
  }
}

const HOUR = 3_600_000;

/** An input blob no job refers to, and a temp file of an interrupted write, both written 30 minutes ago. */
async function plantLeftovers(dataDir: string): Promise<void> {
  const store = await FsBlobStore.open({ root: join(dataDir, 'blobs'), signer: createLinkSigner('s'.repeat(32)) });
  await store.put('inputs/00000000-0000-4000-8000-000000000000-source', Readable.from([Buffer.from('orphan')]), {
    contentType: 'image/png',
    maxBytes: 100,
  });
  const dir = join(dataDir, 'blobs', 'ab', 'cd');
  await store.put('planted/dir', Readable.from([Buffer.from('x')]), { contentType: 'image/png', maxBytes: 10 });
  writeFileSync(join(dir, '.tmp-interrupted'), 'half a blob', { flag: 'w' });
  const past = new Date(Date.now() - HOUR / 2);
  for (const file of filesUnder(join(dataDir, 'blobs'))) utimesSync(file, past, past);
}

async function orphanSweepAfterKill(): Promise<Outcome> {
  const dataDir = tempDataDir();
  // One simulated Discord outlives both server processes (a built-in one would die with the first).
  const simulator = await DiscordSimulator.start({ botDelayMs: 200 });
  const account = simulator.createAccount();
  const env = {
    DATA_DIR: dataDir,
    UPLOAD_ORPHAN_GRACE_MS: '1000',
    UPLOAD_SWEEP_INTERVAL_MS: '1000',
    DISCORD_API_URL: simulator.apiUrl,
    DISCORD_ACCOUNTS: JSON.stringify([{ channel: account.channelId, server: account.guildId, discord: account.token }]),
  };
  const png = await makePng(16, 16);
  const first = await startServerProcess(env);
  // The kill comes once three jobs are accepted, while the other uploads are still in flight.
  const { promise: threeAccepted, resolve } = Promise.withResolvers<void>();
  let accepted = 0;
  const submitted = Array.from({ length: 12 }, () =>
    submitPicsi(first.url, png).then(
      (id) => {
        if (++accepted === 3) resolve();
        return id;
      },
      () => null,
    ),
  );
  await threeAccepted;
  await first.kill('SIGKILL');
  await Promise.all(submitted);
  await mkdirIfMissing(join(dataDir, 'blobs', 'ab', 'cd'));
  await plantLeftovers(dataDir);
  const second = await startServerProcess(env);
  try {
    const blobs = join(dataDir, 'blobs');
    const leftovers = () => [...inputBlobsUnder(blobs), ...filesUnder(blobs).filter((f) => f.includes('/.tmp-'))];
    const statuses = async () => {
      const res = await postJson<{ jobs: { edges: { node: { status: string } }[] } }>(
        second.url,
        '{ jobs(first: 50) { edges { node { status code error } } } }',
      );
      return (res.body.data?.jobs.edges ?? []).map((e) =>
        e.node.status === 'FAILED' ? `FAILED ${JSON.stringify(e.node)}` : e.node.status,
      );
    };
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (leftovers().length > 0 || (await statuses()).some((s) => s === 'QUEUED' || s === 'STARTED')))
      await new Promise((resolve) => setTimeout(resolve, 200));
    const ended = await statuses();
    return {
      message: `accepted before the kill: ${accepted >= 3}; jobs: ${[...new Set(ended)].sort().join(',')}; left: ${leftovers().length}`,
    };
  } finally {
    await second.kill();
    await simulator.close();
  }
}

async function mkdirIfMissing(dir: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
}

export const DATA_DIR_AUDITS: Audit[] = [
  {
    id: 'DD-01',
    level: 'MUST',
    group: 'data-dir',
    name: 'everything under DATA_DIR (journal, lock, link secret, blobs) is owner-only after a job ran',
    run: fileModes,
    expect: { message: '600 file, 700 dir' },
  },
  {
    id: 'DD-02',
    level: 'MUST',
    group: 'data-dir',
    name: "a deleted account's token is gone from the journal at once",
    run: deletedAccountToken,
    expect: { message: 'journaled: true, after deleteAccount: false' },
  },
  {
    id: 'DD-03',
    level: 'MUST',
    group: 'data-dir',
    name: 'with ACCOUNTS_ENCRYPTION_KEY no field of an account record is readable on disk',
    run: sealedAccounts,
    expect: {
      message:
        'on disk: token false, proxy false; read back: true; without the key: the journal holds sealed account records: set ACCOUNTS_ENCRYPTION_KEY to the key they were written with',
    },
  },
  {
    id: 'DD-04',
    level: 'MUST',
    group: 'data-dir',
    name: `journal lines ${BAD_LINES.join(' ')} are skipped and counted: the server starts`,
    run: badJournalLines,
    expect: { status: 200, message: `journal: skipped ${BAD_LINES.length} invalid lines at replay` },
  },
  {
    id: 'DD-05',
    level: 'MUST',
    group: 'data-dir',
    name: 'a lock whose pid now belongs to another process (another start time) is taken over',
    run: () => lockOfLiveProcess(false),
    expect: { message: 'opened' },
  },
  {
    id: 'DD-06',
    level: 'MUST',
    group: 'data-dir',
    name: 'a lock of a live process (its start time) is respected',
    run: () => lockOfLiveProcess(true),
    expect: { message: 'JournalLocked' },
  },
  {
    id: 'DD-07',
    level: 'MUST',
    group: 'data-dir',
    name: 'after a SIGKILL during an upload burst: orphan inputs and temp files are swept, queued jobs keep theirs and complete',
    run: orphanSweepAfterKill,
    expect: { message: 'accepted before the kill: true; jobs: COMPLETED; left: 0' },
  },
];
