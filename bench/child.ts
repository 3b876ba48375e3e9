/** A real server process (src/main.ts) on the simulator and Redis, for the memory and throughput benchmarks. */
import { type DiscordSimulator, type SimulatedAccount } from '../src/simulator/index.js';
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.js';
import { benchEnv } from './common.js';
import type { AccountConfig } from './sim-process.js';

export async function startChild(
  prefix: string,
  simulator: DiscordSimulator,
  accounts: SimulatedAccount[],
  extra: Record<string, string> = {},
): Promise<ServerProcess> {
  return startChildOn(
    prefix,
    simulator.apiUrl,
    accounts.map((a) => ({ channel: a.channelId, server: a.guildId, discord: a.token })),
    extra,
  );
}

/** Same, pointed at a simulator in another process (its API URL and DISCORD_ACCOUNTS entries). */
export async function startChildOn(
  prefix: string,
  apiUrl: string,
  accounts: AccountConfig[],
  extra: Record<string, string> = {},
): Promise<ServerProcess> {
  return startServerProcess(
    benchEnv(prefix, {
      LOG_LEVEL: 'info', // the helper waits for the "ready" line
      SHUTDOWN_TIMEOUT_MS: '500',
      DISCORD_API_URL: apiUrl,
      DISCORD_ACCOUNTS: JSON.stringify(accounts),
      // e.g. BENCH_SERVER_NODE_OPTIONS='--import ./bench/cpu-profile-hook.mjs' to profile the server process (see that file)
      ...(process.env['BENCH_SERVER_NODE_OPTIONS']
        ? {
            NODE_OPTIONS: process.env['BENCH_SERVER_NODE_OPTIONS'],
            BENCH_PROFILE_DIR: process.env['BENCH_PROFILE_DIR'] ?? '/tmp/picsi-bench-prof',
          }
        : {}),
      ...extra,
    }),
    { startTimeoutMs: 30_000 },
  );
}
