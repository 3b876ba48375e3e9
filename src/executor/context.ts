/** What every part of the job service shares: configuration, the stores, the driver, the clock. */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DiscordAccount, CommandDriver } from '../discord/types.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { Clock } from '../timing/clock.js';
import type { AccountHealthKeeper } from './account-health.js';
import { identityOf } from './store/account-record.js';
import type { Coordinator } from './store/port.js';

export interface ExecutorContext {
  config: Config;
  coordinator: Coordinator;
  driver: CommandDriver;
  blobs: BlobStore;
  logger: Logger;
  instanceId: string;
  /** The executor's time: reads and timers (src/timing/clock.ts). */
  clock: Clock;
  /** `clock.now`. */
  now: () => number;
  /** How long a terminal job (and its result files) is kept: JOB_RETENTION_DAYS. */
  retentionSec: number;
  /** Records what signals say about accounts, pauses and resumes them, alerts. */
  health: AccountHealthKeeper;
  /** Draws the pacing jitter. */
  random: () => number;
}

/** The account as the driver takes it: an account record without its runtime state. */
export const discordAccountOf = (a: DiscordAccount): DiscordAccount => identityOf(a);

export const lostPatch = (now: number) => ({
  status: 'FAILED' as const,
  code: 'EXECUTOR_LOST',
  error: 'The server instance holding this job stopped before it finished',
  finishedAt: new Date(now).toISOString(),
});
