/**
 * Persistence of the embedded coordinator (no REDIS_URL): an append-only JSON-lines journal in
 * `<dataDir>/jobs/journal.jsonl`. Every change is appended (synchronously) before the call returns,
 * so it survives a SIGKILL (not a power loss: no fsync per write). At start the journal is replayed
 * (each line checked, see ./disk-journal-lines.ts: what is invalid is skipped, counted and logged) and
 * compacted (one line per live record, written to a new file and renamed over the old one).
 * A lock file keeps a second process off the same directory (./disk-journal-lock.ts).
 *
 * The directory is the owner's only (0700, files 0600): account records hold Discord user tokens.
 * When an account is deleted the journal is compacted at once, so its token is gone from the file
 * (not only superseded by a later line); with ACCOUNTS_ENCRYPTION_KEY every account record is
 * sealed (AES-256-GCM) before it is written.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { AccountRecord } from '../port.js';
import { accountSealer, parseLine, type AccountSealer, type Line } from './disk-journal-lines.js';
import { lockDirectory } from './disk-journal-lock.js';
import { MemoryState } from './state.js';

export { JournalLocked } from './disk-journal-lock.js';

/** The journal is rewritten once it has grown by this much and by twice its last snapshot. */
const COMPACT_MIN_BYTES = 16 * 1024 * 1024;

/** Owner-only: the journal holds account tokens. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export interface Journal {
  readonly state: MemoryState;
  /** Callback tasks as last journaled (the memory callback store starts from them). */
  readonly callbackTasks: Map<string, unknown>;
  /** What the start-up replay read: lines applied, and lines skipped as invalid. */
  readonly replayed: { lines: number; skipped: number };
  job(id: string): void;
  account(channel: string): void;
  credits(key: string): void;
  callbackTask(jobId: string, value: unknown): void;
  /** Appends every change noted since the last flush. */
  flush(): void;
  close(): void;
}

export interface JournalOptions {
  now?: () => number;
  compactMinBytes?: number;
  /** ACCOUNTS_ENCRYPTION_KEY: account records are sealed with it. */
  encryptionKey?: string | null;
  /** Told about invalid lines skipped at replay. */
  onSkipped?: (skipped: { count: number; first: string }) => void;
}

function applyLine(state: MemoryState, tasks: Map<string, unknown>, line: Line, sealer: AccountSealer | null): void {
  if ('job' in line) {
    const old = state.jobs.get(line.job.id)?.job ?? null;
    state.put(line.job, old, line.exp ?? null);
    if (line.seq !== undefined) state.seqOf.set(line.job.id, line.seq);
  } else if ('gone' in line) {
    const old = state.jobs.get(line.gone);
    if (old) state.remove(old.job);
  } else if ('account' in line) state.accounts.set(line.account.channel, line.account);
  else if ('sealedAccount' in line) {
    if (!sealer) throw new Error('the journal holds sealed account records: set ACCOUNTS_ENCRYPTION_KEY to the key they were written with');
    const account = sealer.open(line.sealedAccount);
    state.accounts.set(account.channel, account);
  } else if ('noAccount' in line) state.accounts.delete(line.noAccount);
  else if ('credits' in line) state.credits.set(line.credits, line.n);
  else if (line.value === null) tasks.delete(line.task);
  else tasks.set(line.task, line.value);
}

/** Applies every valid line; returns the count of lines applied and the invalid ones. */
function replay(state: MemoryState, tasks: Map<string, unknown>, text: string, sealer: AccountSealer | null) {
  const replayed = { lines: 0, skipped: 0, first: '' };
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    const line = parseLine(raw);
    if (!line) {
      if (replayed.skipped++ === 0) replayed.first = raw.slice(0, 80);
      continue;
    }
    applyLine(state, tasks, line, sealer);
    replayed.lines++;
  }
  return replayed;
}

/** After the replay: expired jobs dropped, queued ones queued, running ones held for the reaper. */
function settleReplayed(state: MemoryState, now: number): void {
  for (const [id, stored] of [...state.jobs]) {
    if (stored.expiresAt !== null && stored.expiresAt <= now) {
      state.remove(stored.job);
      continue;
    }
    const { job } = stored;
    if (job.status === 'QUEUED') state.enqueue(job);
    // Its holder was this process, which is gone: the next claim or the reaper settles it. A job
    // whose result was being copied had released its channel: only the reaper takes its copy over.
    if (job.status === 'STARTED' && job.channel) {
      if (!job.copying) state.holders.set(job.channel, id);
      state.running.set(id, 0);
    }
  }
}

/**
 * The journal's directory, owner-only (an older version made it 0755). DATA_DIR itself is made
 * owner-only when this creates it; an existing one an operator chose keeps its mode.
 */
function ownerOnlyDirectory(dataDir: string): string {
  const dir = join(dataDir, 'jobs');
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
  return dir;
}

const toText = (lines: readonly Line[]) => lines.map((line) => `${JSON.stringify(line)}\n`).join('');

/** The journal file (0600): appended to, and rewritten whole through a synced temp file and one rename. */
class JournalFile {
  private fd: number | null = null;
  private snapshotBytes = 0;
  private appendedBytes = 0;
  closed = false;

  constructor(
    private readonly path: string,
    private readonly compactMinBytes: number,
  ) {}

  /** The appended lines outgrew the last snapshot: time to rewrite. */
  get outgrown(): boolean {
    return this.appendedBytes > Math.max(this.compactMinBytes, 2 * this.snapshotBytes);
  }

  rewrite(lines: readonly Line[]): void {
    const text = toText(lines);
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, text, { mode: FILE_MODE });
    const tmpFd = openSync(tmp, 'r+');
    fsyncSync(tmpFd);
    closeSync(tmpFd);
    if (this.fd !== null) closeSync(this.fd);
    renameSync(tmp, this.path);
    chmodSync(this.path, FILE_MODE);
    this.fd = openSync(this.path, 'a', FILE_MODE);
    this.snapshotBytes = Buffer.byteLength(text);
    this.appendedBytes = 0;
  }

  append(lines: readonly Line[]): void {
    const text = toText(lines);
    writeSync(this.fd!, text);
    this.appendedBytes += Buffer.byteLength(text);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.closed = true;
  }
}

export function openJournal(dataDir: string, options: JournalOptions = {}): Journal {
  const now = options.now ?? Date.now;
  const compactMinBytes = options.compactMinBytes ?? COMPACT_MIN_BYTES;
  const sealer = options.encryptionKey ? accountSealer(options.encryptionKey) : null;
  const dir = ownerOnlyDirectory(dataDir);
  const unlock = lockDirectory(join(dir, 'lock'), dataDir);
  const path = join(dir, 'journal.jsonl');
  const state = new MemoryState(now);
  const callbackTasks = new Map<string, unknown>();
  let replayed = { lines: 0, skipped: 0, first: '' };
  try {
    if (existsSync(path)) replayed = replay(state, callbackTasks, readFileSync(path, 'utf8'), sealer);
  } catch (error) {
    unlock();
    throw error;
  }
  settleReplayed(state, now());
  if (replayed.skipped > 0) options.onSkipped?.({ count: replayed.skipped, first: replayed.first });

  const jobLine = (id: string): Line => {
    const stored = state.jobs.get(id);
    if (!stored) return { gone: id };
    const seq = state.seqOf.get(id);
    return { job: stored.job, ...(seq !== undefined ? { seq } : {}), ...(stored.expiresAt !== null ? { exp: stored.expiresAt } : {}) };
  };
  const accountLine = (channel: string): Line => {
    const account: AccountRecord | undefined = state.accounts.get(channel);
    if (!account) return { noAccount: channel };
    return sealer ? { sealedAccount: sealer.seal(account) } : { account };
  };

  // Compaction: the live state, one line per record, replaces the journal in one rename. At start,
  // whenever the appended lines outgrow the last snapshot (a running instance's journal stays
  // within a few times its live state), and when an account is deleted (its token must go).
  const file = new JournalFile(path, compactMinBytes);
  const compact = () => {
    for (const stored of [...state.jobs.values()]) if (stored.expiresAt !== null && stored.expiresAt <= now()) state.remove(stored.job);
    file.rewrite([
      ...[...state.jobs.keys()].map(jobLine),
      ...[...state.accounts.keys()].map(accountLine),
      ...[...state.credits].map(([credits, n]): Line => ({ credits, n })),
      ...[...callbackTasks].map(([task, value]): Line => ({ task, value })),
    ]);
  };
  compact();

  const pending: (() => Line)[] = [];
  return {
    state,
    callbackTasks,
    replayed: { lines: replayed.lines, skipped: replayed.skipped },
    job: (id) => void pending.push(() => jobLine(id)),
    account: (channel) => void pending.push(() => accountLine(channel)),
    credits: (key) => void pending.push(() => ({ credits: key, n: state.credits.get(key) ?? 0 })),
    callbackTask: (task, value) => {
      if (value === null) callbackTasks.delete(task);
      else callbackTasks.set(task, value);
      pending.push(() => ({ task, value }));
    },
    flush() {
      if (pending.length === 0 || file.closed) return;
      const lines = pending.map((line) => line());
      pending.length = 0;
      file.append(lines);
      if (lines.some((line) => 'noAccount' in line) || file.outgrown) compact();
    },
    close() {
      if (file.closed) return;
      this.flush();
      file.close();
      unlock();
    },
  };
}
