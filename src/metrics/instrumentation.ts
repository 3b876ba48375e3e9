/**
 * What the rest of the server reports to metrics: one typed call per event, with every label drawn
 * from a small fixed set (never a job id, a token or free text). Modules take a `Metrics` and call
 * it unconditionally; `noopMetrics` stands in where no registry exists (tests, tools).
 */
import { ERROR_CODES, type ErrorCode } from '../errors.js';
import type { JobStatus } from '../jobs/model.js';

export type FinishedStatus = Extract<JobStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'>;

/** A job's `code` as a label: a known code, `NONE` (completed), or `OTHER` (anything unexpected). */
export type JobCodeLabel = ErrorCode | 'NONE' | 'OTHER';

/** One callback delivery attempt's outcome. */
export const CALLBACK_OUTCOMES = ['delivered', 'retry', 'rejected', 'exhausted'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

/** The Discord REST routes the driver uses, as a bounded label (see `discordRouteOf`). */
export const DISCORD_ROUTES = ['interactions', 'attachments', 'messages', 'commands', 'gateway', 'other'] as const;
export type DiscordRoute = (typeof DISCORD_ROUTES)[number];

export const BLOB_OPERATIONS = ['put', 'get', 'delete', 'download_url', 'ping'] as const;
export type BlobOperation = (typeof BLOB_OPERATIONS)[number];

export interface Metrics {
  /** A job was accepted (queued or started) by this instance. */
  jobAccepted(): void;
  /** A job reached its terminal state here; `runSeconds` is null when it never started. */
  jobFinished(status: FinishedStatus, code: string | null, runSeconds: number | null): void;
  /** A job left the queue for a channel after waiting `queueWaitSeconds`. */
  jobStarted(queueWaitSeconds: number): void;
  /** A channel was held by a job for `seconds` (claim to release). */
  channelBusy(channel: string, seconds: number): void;
  callbackOutcome(outcome: CallbackOutcome): void;
  /** Discord answered a REST request with 429. */
  discordRateLimited(route: DiscordRoute): void;
  /** A gateway session schedules a reconnect attempt after its socket dropped (resume or re-identify). */
  gatewayReconnect(): void;
  blobStoreError(operation: BlobOperation): void;
}

export const noopMetrics: Metrics = {
  jobAccepted() {},
  jobFinished() {},
  jobStarted() {},
  channelBusy() {},
  callbackOutcome() {},
  discordRateLimited() {},
  gatewayReconnect() {},
  blobStoreError() {},
};

export function jobCodeLabel(code: string | null): JobCodeLabel {
  if (code === null) return 'NONE';
  return Object.hasOwn(ERROR_CODES, code) ? (code as ErrorCode) : 'OTHER';
}

/** Maps a Discord REST path (`/channels/1/attachments`, `/interactions`…) to its route label. */
export function discordRouteOf(path: string): DiscordRoute {
  const clean = path.split('?')[0]!.replace(/\/+$/, '');
  if (clean.endsWith('/interactions')) return 'interactions';
  if (/\/attachments(\/refresh-urls)?$/.test(clean)) return 'attachments';
  if (/\/channels\/[^/]+\/messages(\/|$)/.test(clean)) return 'messages';
  if (/\/application-command-index$|\/commands(\/|$)/.test(clean)) return 'commands';
  if (clean.endsWith('/gateway')) return 'gateway';
  return 'other';
}
