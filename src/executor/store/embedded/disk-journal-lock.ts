/**
 * The data directory's lock: one process at a time journals into DATA_DIR/jobs. The lock file
 * names its holder by process id AND that process's start time (Linux: field 22 of
 * /proc/<pid>/stat, in clock ticks since boot), so a lock left by a dead process is taken over
 * even when its pid now belongs to another process (pid reuse after a crash or a container
 * restart, where the same small pids come back). Where /proc is missing, the pid alone decides.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export class JournalLocked extends Error {
  override readonly name = 'JournalLocked';
}

interface Holder {
  pid: number;
  /** The process's start time as /proc gives it; null where it cannot be read. */
  start: string | null;
}

/** Lock files this process holds (a second journal on one directory in one process is refused too). */
const held = new Set<string>();

export function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
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

/** Whether the process a lock names is still the one that wrote it. */
function isLive(holder: Holder): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0 || holder.pid === process.pid || !isRunning(holder.pid)) return false;
  if (holder.start === null) return true;
  const start = startTimeOf(holder.pid);
  return start === null || start === holder.start;
}

/** Lock files of older versions hold the pid alone. */
function readHolder(path: string): Holder {
  const text = readFileSync(path, 'utf8').trim();
  try {
    const parsed = JSON.parse(text) as Partial<Holder>;
    if (typeof parsed === 'object' && parsed !== null) return { pid: Number(parsed.pid), start: parsed.start ?? null };
  } catch {
    // not JSON: an older lock
  }
  return { pid: Number(text), start: null };
}

/** Takes the lock at `path` (mode 0600): a live holder is an error; a dead one's lock is taken over. */
export function lockDirectory(path: string, directory: string): () => void {
  if (held.has(path)) throw new JournalLocked(`the data directory ${directory} is already open in this process`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, start: startTimeOf(process.pid) } satisfies Holder));
      closeSync(fd);
      held.add(path);
      return () => {
        rmSync(path, { force: true });
        held.delete(path);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(path);
      if (isLive(holder)) {
        throw new JournalLocked(
          `another picsi-graphql process (pid ${holder.pid}) uses the data directory ${directory}: only one instance may run on it without REDIS_URL (set REDIS_URL to run several)`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new JournalLocked(`could not take the lock of the data directory ${directory}`);
}
