/**
 * What every step of one run (worker.ts) shares: the claimed job, its channel lease token, the
 * account it runs on and the run's logger, plus the worker's dependencies.
 */
import type { Logger } from 'pino';
import type { CommandDriver, DiscordAccount } from '../../discord/types.js';
import type { Pacing } from '../../jobs/account-pacing.js';
import type { Job } from '../../jobs/model.js';
import type { Clock } from '../../timing/clock.js';
import type { AccountFaultDeps } from '../account-faults.js';
import type { Coordinator } from '../store/port.js';
import type { CopyStarter } from './result-copies/index.js';

export type AbortReason = 'cancel' | 'shutdown' | 'lease-lost';

export interface WorkerDeps {
  coordinator: Coordinator;
  driver: CommandDriver;
  logger: Logger;
  clock: Clock;
  leaseTtlMs: number;
  retentionSec: number;
  /** Where a job whose bot answered with result files goes once its channel is released. */
  copies: CopyStarter;
  /** Called right before the command is sent (POST /interactions): staging of the channel's next job starts. */
  onSending?: () => void;
  /** This account's pacing: the gap after each command it ran. */
  pacing: Pacing;
  random: () => number;
  /** What a failure says about the account: its state, and whether the job moves to another account. */
  faults: AccountFaultDeps;
}

export interface RunScope {
  deps: WorkerDeps;
  job: Job;
  channel: string;
  token: string;
  account: DiscordAccount;
  log: Logger;
}
