/** Runs `npm run doctor` (src/doctor/main.ts) as a child process, and a proxy that never answers some requests. */
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface DoctorRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `env` replaces the environment (besides PATH/HOME/TMPDIR), so nothing of the caller's leaks in. */
export function runDoctorProcess(env: Record<string, string>, args: string[] = []): Promise<DoctorRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/doctor/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', TMPDIR: process.env['TMPDIR'] ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface HangingProxy {
  /** REST base to give doctor as DISCORD_API_URL. */
  apiUrl: string;
  /** Requests that were held without an answer. */
  held: number;
  close(): Promise<void>;
}

/** Forwards every request to `targetOrigin`, except those whose path matches `hang`: those get no answer. */
export async function startHangingProxy(targetOrigin: string, hang: RegExp): Promise<HangingProxy> {
  const state = { held: 0 };
  const server = createServer((req, res) => {
    if (hang.test(req.url ?? '')) {
      state.held++;
      req.resume();
      return;
    }
    const upstream = request(new URL(req.url ?? '/', targetOrigin), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    get held() {
      return state.held;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
