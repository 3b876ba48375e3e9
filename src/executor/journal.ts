/**
 * Persistence of the embedded coordinator (no REDIS_URL): an append-only JSON-lines journal in
 * `<dataDir>/jobs/journal.jsonl`. Every change is appended (synchronously) before the call returns,
 * so it survives a SIGKILL (not a power loss: no fsync per write). At start the journal is replayed
 * and compacted (one line per live record, written to a new file and renamed over the old one).
 * A lock file keeps a second process off the same directory.
 *
 * Lines: {"job": Job, "seq"?: n, "exp"?: ms} | {"gone": id} | {"account": AccountRecord} |
 * {"noAccount": channel} | {"credits": key, "n": n} | {"task": jobId, "value": task | null}
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from '../jobs/model.js';
import type { AccountRecord } from './coordinator.js';
import { MemoryState } from './memory-state.js';

type Line =
  | { job: Job; seq?: number; exp?: number | null }
  | { gone: string }
  | { account: AccountRecord }
  | { noAccount: string }
  | { credits: string; n: number }
  | { task: string; value: unknown };

/** The journal is rewritten once it has grown by this much and by twice its last snapshot. */
const COMPACT_MIN_BYTES = 16 * 1024 * 1024;

export class JournalLocked extends Error {
  override readonly name = 'JournalLocked';
}

export interface Journal {
  readonly state: MemoryState;
  /** Callback tasks as last journaled (the memory callback store starts from them). */
  readonly callbackTasks: Map<string, unknown>;
  job(id: string): void;
  account(channel: string): void;
  credits(key: string): void;
  callbackTask(jobId: string, value: unknown): void;
  /** Appends every change noted since the last flush. */
  flush(): void;
  close(): void;
}

/** Lock files this process holds (a second journal on one directory in one process is refused too). */
const held = new Set<string>();

/** Takes the directory's lock: a live process holding it is an error; a dead one's lock is taken over. */
function lock(path: string): void {
  if (held.has(path)) throw new JournalLocked(`the data directory ${path.replace(/\/jobs\/lock$/, '')} is already open in this process`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(path);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(path, 'utf8'));
      if (pid && pid !== process.pid && isRunning(pid)) {
        throw new JournalLocked(
          `another picsi-graphql process (pid ${pid}) uses the data directory ${path.replace(/\/jobs\/lock$/, '')}: only one instance may run on it without REDIS_URL (set REDIS_URL to run several)`,
        );
      }
      rmSync(path, { force: true });
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function replay(state: MemoryState, tasks: Map<string, unknown>, text: string, now: number): void {
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      continue; // a torn last line (the process died mid-write)
    }
    if ('job' in line) {
      const old = state.jobs.get(line.job.id)?.job ?? null;
      state.put(line.job, old, line.exp ?? null);
      if (line.seq !== undefined) state.seqOf.set(line.job.id, line.seq);
    } else if ('gone' in line) {
      const old = state.jobs.get(line.gone);
      if (old) state.remove(old.job);
    } else if ('account' in line) state.accounts.set(line.account.channel, line.account);
    else if ('noAccount' in line) state.accounts.delete(line.noAccount);
    else if ('credits' in line) state.credits.set(line.credits, line.n);
    else if ('task' in line) {
      if (line.value === null) tasks.delete(line.task);
      else tasks.set(line.task, line.value);
    }
  }
  for (const [id, stored] of [...state.jobs]) {
    if (stored.expiresAt !== null && stored.expiresAt <= now) {
      state.remove(stored.job);
      continue;
    }
    const { job } = stored;
    if (job.status === 'QUEUED') state.enqueue(job);
    // Its holder was this process, which is gone: the next claim or the reaper settles it.
    if (job.status === 'STARTED' && job.channel) {
      state.holders.set(job.channel, id);
      state.running.set(id, 0);
    }
  }
}

export function openJournal(dataDir: string, options: { now?: () => number; compactMinBytes?: number } = {}): Journal {
  const now = options.now ?? Date.now;
  const compactMinBytes = options.compactMinBytes ?? COMPACT_MIN_BYTES;
  const dir = join(dataDir, 'jobs');
  mkdirSync(dir, { recursive: true });
  const lockPath = join(dir, 'lock');
  lock(lockPath);
  const path = join(dir, 'journal.jsonl');
  const state = new MemoryState(now);
  const callbackTasks = new Map<string, unknown>();
  if (existsSync(path)) replay(state, callbackTasks, readFileSync(path, 'utf8'), now());

  const jobLine = (id: string): Line => {
    const stored = state.jobs.get(id);
    if (!stored) return { gone: id };
    const seq = state.seqOf.get(id);
    return { job: stored.job, ...(seq !== undefined ? { seq } : {}), ...(stored.expiresAt !== null ? { exp: stored.expiresAt } : {}) };
  };
  const accountLine = (channel: string): Line => {
    const account = state.accounts.get(channel);
    return account ? { account } : { noAccount: channel };
  };

  // Compaction: the live state, one line per record, replaces the journal in one rename. At start,
  // and again whenever the appended lines outgrow the last snapshot (a running instance's journal
  // stays within a few times its live state).
  let fd: number | null = null;
  let snapshotBytes = 0;
  let appendedBytes = 0;
  const compact = () => {
    for (const stored of [...state.jobs.values()]) if (stored.expiresAt !== null && stored.expiresAt <= now()) state.remove(stored.job);
    const text = [
      ...[...state.jobs.keys()].map(jobLine),
      ...[...state.accounts.keys()].map(accountLine),
      ...[...state.credits].map(([credits, n]): Line => ({ credits, n })),
      ...[...callbackTasks].map(([task, value]): Line => ({ task, value })),
    ]
      .map((l) => `${JSON.stringify(l)}\n`)
      .join('');
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, text);
    const tmpFd = openSync(tmp, 'r+');
    fsyncSync(tmpFd);
    closeSync(tmpFd);
    if (fd !== null) closeSync(fd);
    renameSync(tmp, path);
    fd = openSync(path, 'a');
    snapshotBytes = Buffer.byteLength(text);
    appendedBytes = 0;
  };
  compact();

  const pending: (() => Line)[] = [];
  return {
    state,
    callbackTasks,
    job: (id) => void pending.push(() => jobLine(id)),
    account: (channel) => void pending.push(() => accountLine(channel)),
    credits: (key) => void pending.push(() => ({ credits: key, n: state.credits.get(key) ?? 0 })),
    callbackTask: (task, value) => {
      if (value === null) callbackTasks.delete(task);
      else callbackTasks.set(task, value);
      pending.push(() => ({ task, value }));
    },
    flush() {
      if (pending.length === 0 || fd === null) return;
      const text = pending.map((line) => `${JSON.stringify(line())}\n`).join('');
      pending.length = 0;
      writeSync(fd, text);
      appendedBytes += Buffer.byteLength(text);
      if (appendedBytes > Math.max(compactMinBytes, 2 * snapshotBytes)) compact();
    },
    close() {
      if (fd === null) return;
      this.flush();
      closeSync(fd);
      fd = null;
      rmSync(lockPath, { force: true });
      held.delete(lockPath);
    },
  };
}
