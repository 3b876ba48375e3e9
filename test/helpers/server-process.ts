/**
 * A real server process (`src/main.ts`) for fault tests and benchmarks: spawned with its own
 * environment, ready once it logs its URL, killable with any signal, RSS readable from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every server process the importing test file started: a test that times out while one is still
 * starting never gets it back to kill, so whatever is left is killed after the file's tests.
 */
const started = new Set<ChildProcess>();
// Benchmarks import this module too, outside any test run.
if (process.env['VITEST']) {
  afterAll(() => {
    for (const child of started) child.kill('SIGKILL');
  });
}

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Lines the process logged (JSON), newest last. */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  rssBytes(): number;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * `env` without DATA_DIR gets a fresh temporary one (the embedded store's journal; pass the same
 * DATA_DIR again to restart a server on its data).
 */
/**
 * The environment a test gives a server process: only what a shell provides (PATH, HOME, TMPDIR),
 * a free port on loopback, test mode and the info-level "ready" line; `env` adds or overrides.
 */
export function serverProcessEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    TMPDIR: process.env['TMPDIR'] ?? '/tmp',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NODE_ENV: 'test',
    // Simulated accounts: no pacing unless a test sets it.
    ACCOUNT_MIN_GAP_MS: '0',
    ACCOUNT_JITTER_MS: '0',
    ...env,
  };
}

export async function startServerProcess(env: Record<string, string>, options: { startTimeoutMs?: number } = {}): Promise<ServerProcess> {
  const dataDir = env['DATA_DIR'] ?? mkdtempSync(join(tmpdir(), 'picsi-server-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: serverProcessEnv({ DATA_DIR: dataDir, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      started.delete(child);
      if (!env['DATA_DIR']) rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  child.stderr.on('data', (chunk: Buffer) => logs.push(chunk.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${logs.slice(-20).join('\n')}`));
    }, options.startTimeoutMs ?? 20_000);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited during start (${code ?? signal}):\n${logs.slice(-20).join('\n')}`));
    }, reject);
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs.push(line);
      if (logs.length > 5000) logs.splice(0, 1000);
      const match = /"url":"(http:[^"]+)"/.exec(line);
      if (match && line.includes('ready')) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });

  return {
    url,
    pid: child.pid!,
    child,
    logs,
    exited,
    rssBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}
