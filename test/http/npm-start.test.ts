/**
 * `npm start` in production shape: SIGTERM to npm's PID or to the server's own PID shuts the
 * server down gracefully (its "shutdown complete" line), npm exits, and no process of the tree is
 * left (the tree is read from /proc before the signal).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serverProcessEnv } from '../helpers/server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every live process whose ancestry leads to `pid`. */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces, so split after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while the table was read
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid !== parent) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

async function startNpm(): Promise<{ npm: ChildProcess; lines: string[]; exited: Promise<number | null> }> {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: serverProcessEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  // 'close', not 'exit': exit can come before the last lines of stdout were read.
  const exited = new Promise<number | null>((resolve) => npm.once('close', (code) => resolve(code)));
  npm.stderr.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    exited.then((code) => reject(new Error(`npm start exited (${code}):\n${lines.join('\n')}`)), reject);
    createInterface({ input: npm.stdout }).on('line', (line) => {
      lines.push(line);
      if (line.includes('picsi-graphql ready')) resolve();
    });
  });
  return { npm, lines, exited };
}

describe('npm start and SIGTERM', () => {
  for (const target of ['npm', 'server'] as const) {
    it(`SIGTERM to the ${target} PID: graceful shutdown, npm exits, no process left`, async () => {
      const { npm, lines, exited } = await startNpm();
      const tree = descendantsOf(npm.pid!);
      const server = tree.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('src/main.ts'));
      expect(server, `process tree of npm: ${tree.join(', ')}`).toBeDefined();
      try {
        process.kill(target === 'npm' ? npm.pid! : server!, 'SIGTERM');
        await exited;
        expect(lines.some((l) => l.includes('"msg":"shutdown complete"'))).toBe(true);
        await expect.poll(() => [npm.pid!, ...tree].filter(isAlive), { timeout: 10_000 }).toEqual([]);
      } finally {
        for (const pid of [...tree, npm.pid!].filter(isAlive)) process.kill(pid, 'SIGKILL');
      }
    }, 60_000);
  }
});
