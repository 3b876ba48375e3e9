/** How long jobs run and are kept, the queue's bounds, and the accounts' daily credits. */
import { int, type Parsed } from './variables.js';

export const JOB_VARIABLES = {
  JOB_RETENTION_DAYS: { schema: int(1, 3650), default: '31' },
  JOB_TIMEOUT_MS: { schema: int(1000), default: '120000' },
  WAIT_TIMEOUT_MS: { schema: int(100), default: '60000' },
  LEASE_TTL_MS: { schema: int(500), default: '15000' },
  REAPER_INTERVAL_MS: { schema: int(50), default: '1000' },
  LOCK_ATTEMPTS: { schema: int(1, 100), default: '3' },
  QUEUE_MAX_PER_TOKEN: { schema: int(1), default: '100' },
  QUEUE_MAX: { schema: int(1), default: '1000' },
  CREDITS_PER_DAY: { schema: int(0), default: '50' },
  PICSI_CREDIT_COST: { schema: int(0), default: '3' },
  TOKEN_DAILY_CREDITS: { schema: int(0), default: undefined },
} as const;

export interface JobsConfig {
  retentionDays: number;
  timeoutMs: number;
  waitTimeoutMs: number;
  leaseTtlMs: number;
  reaperIntervalMs: number;
  lockAttempts: number;
  queueMaxPerToken: number;
  queueMax: number;
  creditsPerDay: number;
  creditCost: number;
  /** The most credits one API token's jobs may spend per UTC day; null: no per-token share. */
  tokenDailyCredits: number | null;
}

export const jobsConfigOf = (p: Parsed<typeof JOB_VARIABLES>): JobsConfig => ({
  retentionDays: p.JOB_RETENTION_DAYS,
  timeoutMs: p.JOB_TIMEOUT_MS,
  waitTimeoutMs: p.WAIT_TIMEOUT_MS,
  leaseTtlMs: p.LEASE_TTL_MS,
  reaperIntervalMs: p.REAPER_INTERVAL_MS,
  lockAttempts: p.LOCK_ATTEMPTS,
  queueMaxPerToken: p.QUEUE_MAX_PER_TOKEN,
  queueMax: p.QUEUE_MAX,
  creditsPerDay: p.CREDITS_PER_DAY,
  creditCost: p.PICSI_CREDIT_COST,
  tokenDailyCredits: p.TOKEN_DAILY_CREDITS ?? null,
});
