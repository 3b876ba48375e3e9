/** The simulated Discord of P8/P9 in a process of its own (sim-child.ts), driven over IPC. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChannelStats } from '../src/simulator/index.js';

export interface SimChannelSnapshot extends ChannelStats {
  channelId: string;
  /** Epoch ms of the first accepted interaction since the last reset, null if none. */
  firstAt: number | null;
  lastEndedAt: number | null;
  /** Every interaction since the last reset: [nonce, accepted at, ended at (null while in flight)], epoch ms. */
  log: [string, number, number | null][];
}

export interface SimSnapshot {
  channels: SimChannelSnapshot[];
}

export type SimCommand = { kind: 'snapshot' } | { kind: 'setBotDelay'; ms: number } | { kind: 'resetStats' };
export type SimRequest = SimCommand & { seq: number };
export interface SimResponse {
  seq: number;
  snapshot?: SimSnapshot;
}

/** DISCORD_ACCOUNTS entries. */
export interface AccountConfig {
  channel: string;
  server: string;
  discord: string;
}

export interface SimProcess {
  apiUrl: string;
  accounts: AccountConfig[];
  pid: number;
  snapshot(): Promise<SimSnapshot>;
  setBotDelay(ms: number): Promise<void>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSimProcess(accounts: number, botDelayMs = 0): Promise<SimProcess> {
  const child = fork(fileURLToPath(new URL('./sim-child.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      BENCH_SIM_ACCOUNTS: String(accounts),
      BENCH_SIM_BOT_DELAY_MS: String(botDelayMs),
      // e.g. BENCH_SIM_NODE_OPTIONS='--import ./bench/cpu-profile-hook.mjs' to profile the simulator (writes sim-<pid>.cpuprofile)
      ...(process.env['BENCH_SIM_NODE_OPTIONS'] ? { NODE_OPTIONS: process.env['BENCH_SIM_NODE_OPTIONS'], BENCH_PROFILE_NAME: 'sim' } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<number, (response: SimResponse) => void>();
  let seq = 0;
  const ready = await new Promise<{ apiUrl: string; accounts: AccountConfig[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('simulator process did not start in 30 s')), 30_000);
    exited.then(() => reject(new Error('simulator process exited during start')), reject);
    child.on('message', (message: { ready?: { apiUrl: string; accounts: AccountConfig[] } } & Partial<SimResponse>) => {
      if (message.ready) {
        clearTimeout(timer);
        resolve(message.ready);
      } else if (message.seq !== undefined) {
        pending.get(message.seq)?.(message as SimResponse);
        pending.delete(message.seq);
      }
    });
  });
  const ask = (request: SimCommand): Promise<SimResponse> =>
    new Promise((resolve) => {
      const id = ++seq;
      pending.set(id, resolve);
      child.send({ ...request, seq: id });
    });
  return {
    ...ready,
    pid: child.pid!,
    snapshot: async () => (await ask({ kind: 'snapshot' })).snapshot!,
    setBotDelay: async (ms) => void (await ask({ kind: 'setBotDelay', ms })),
    resetStats: async () => void (await ask({ kind: 'resetStats' })),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
