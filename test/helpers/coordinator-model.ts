/**
 * A small reference model of the coordinator's job state machine (src/executor/store/port.ts), in
 * plain TypeScript, for test/executor/model-based.test.ts: jobs and their statuses, the channel
 * leases and holders, what a claim or the reaper does with a job whose holder vanished, and which
 * writes a holder's token allows. It does not model the fair queue's rounds between owners: it
 * knows which queued jobs a claim may take, and that one owner's jobs leave one queue in order.
 */
import type { JobStatus } from '../../src/jobs/model.js';

/** What a holder recorded about its command: nothing (recordsCommands: null), unknown (not recorded), or sent (recently, or too long ago). */
export type CommandState = 'none' | 'unknown' | 'sent' | 'sent-long-ago';

export interface ModelJob {
  id: string;
  owner: string;
  /** The channel it asked for; null: any channel. */
  pinned: string | null;
  /** Creation order (ids sort the same way). */
  seq: number;
  status: JobStatus;
  channel: string | null;
  attempt: number;
  content: string | null;
  code: string | null;
  command: CommandState;
}

export interface ModelLease {
  token: string;
  jobId: string;
  live: boolean;
}

/** What a claim did, as the model predicts it; `candidates` are the jobs a new claim may take. */
export type ClaimPrediction =
  | { kind: 'held' }
  | { kind: 'adopted'; jobId: string }
  | { kind: 'claimed'; candidates: ModelJob[]; reaped: string[] }
  | { kind: 'empty'; queued: number; reaped: string[] };

export class CoordinatorModel {
  readonly jobs = new Map<string, ModelJob>();
  /** The lease and holder of each channel: a lease that is not live leaves its holder for the next claim or the reaper. */
  readonly leases = new Map<string, ModelLease>();
  private seq = 0;

  submit(id: string, owner: string, pinned: string | null): void {
    this.jobs.set(id, {
      id,
      owner,
      pinned,
      seq: this.seq++,
      status: 'QUEUED',
      channel: null,
      attempt: 0,
      content: null,
      code: null,
      command: 'none',
    });
  }

  queued(): ModelJob[] {
    return [...this.jobs.values()].filter((j) => j.status === 'QUEUED').sort((a, b) => a.seq - b.seq);
  }

  /** The queued jobs a claim on `channel` may take: pinned to it, or to any channel. */
  eligible(channel: string): ModelJob[] {
    return this.queued().filter((j) => j.pinned === channel || j.pinned === null);
  }

  liveLease(channel: string): ModelLease | null {
    const lease = this.leases.get(channel);
    return lease?.live ? lease : null;
  }

  /** Is `token` the live holder of `jobId` on `channel` (what a token-checked write needs)? */
  holds(channel: string, token: string, jobId: string): boolean {
    const lease = this.liveLease(channel);
    return lease !== null && lease.token === token && lease.jobId === jobId;
  }

  /** The first step of a claim: the channel's previous job, if its holder vanished. */
  predictClaim(channel: string): ClaimPrediction {
    if (this.liveLease(channel)) return { kind: 'held' };
    const previous = this.vanishedHolderJob(channel);
    const reaped: string[] = [];
    if (previous) {
      if (previous.command === 'sent') return { kind: 'adopted', jobId: previous.id };
      if (previous.command === 'none') this.requeue(previous);
      else {
        this.lose(previous);
        reaped.push(previous.id);
      }
    }
    this.leases.delete(channel);
    const candidates = this.eligible(channel);
    return candidates.length > 0 ? { kind: 'claimed', candidates, reaped } : { kind: 'empty', queued: this.queued().length, reaped };
  }

  /** The second step, with the job the stores agreed on. */
  applyClaim(channel: string, jobId: string, token: string, recordsCommands: boolean, adopted: boolean): void {
    const job = this.jobs.get(jobId)!;
    this.leases.set(channel, { token, jobId, live: true });
    if (adopted) return;
    Object.assign(job, { status: 'STARTED', channel, attempt: job.attempt + 1, command: recordsCommands ? 'none' : 'unknown' });
  }

  /** A token-checked write by the holder; false when the stores must refuse it. */
  write(channel: string, token: string, jobId: string, change: (job: ModelJob) => void): boolean {
    if (!this.holds(channel, token, jobId)) return false;
    change(this.jobs.get(jobId)!);
    return true;
  }

  finish(channel: string, token: string, jobId: string, status: 'COMPLETED' | 'FAILED'): boolean {
    const ok = this.write(channel, token, jobId, (job) => (job.status = status));
    if (ok) this.leases.delete(channel);
    return ok;
  }

  handBack(channel: string, token: string, jobId: string): boolean {
    const ok = this.write(channel, token, jobId, (job) => this.requeue(job));
    if (ok) this.leases.delete(channel);
    return ok;
  }

  /** Cancelling without a token: only a queued job. */
  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (job?.status !== 'QUEUED') return false;
    job.status = 'CANCELLED';
    return true;
  }

  renew(channel: string, token: string): boolean {
    return this.liveLease(channel)?.token === token;
  }

  /** Every lease lapses (time passes beyond the TTL); holders stay until a claim or the reaper settles their job. */
  expireLeases(): string[] {
    const expired = [...this.leases].filter(([, lease]) => lease.live).map(([channel]) => channel);
    for (const channel of expired) this.leases.get(channel)!.live = false;
    return expired;
  }

  /** The reaper: every STARTED job without a live lease is requeued (nothing sent), lost (unknown or sent too long ago) or left to adopt. */
  reap(): { failed: string[]; requeued: string[] } {
    const failed: string[] = [];
    const requeued: string[] = [];
    for (const job of this.jobs.values()) {
      if (job.status !== 'STARTED' || this.liveLease(job.channel!)?.jobId === job.id) continue;
      if (job.command === 'none') {
        this.requeue(job);
        requeued.push(job.id);
      } else if (job.command !== 'sent') {
        this.lose(job);
        failed.push(job.id);
      }
    }
    return { failed: failed.sort(), requeued: requeued.sort() };
  }

  private vanishedHolderJob(channel: string): ModelJob | null {
    const lease = this.leases.get(channel);
    const job = lease ? this.jobs.get(lease.jobId) : undefined;
    return job && job.status === 'STARTED' && job.channel === channel ? job : null;
  }

  private requeue(job: ModelJob): void {
    Object.assign(job, { status: 'QUEUED', channel: null, command: 'none' });
  }

  private lose(job: ModelJob): void {
    Object.assign(job, { status: 'FAILED', code: 'EXECUTOR_LOST' });
  }
}
