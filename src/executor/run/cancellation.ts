/**
 * Cancel and shutdown. A queued job is cancelled in the store directly (any instance); a running
 * one is asked to stop through the control event (whichever instance runs it aborts its Discord
 * calls) and answered once it is terminal. Shutdown cancels nothing: queued jobs are left to the
 * other instances, running ones may finish within the deadline, then stop and are handed over (see
 * the worker: their lease lapses, and they are requeued or adopted).
 */
import { isTerminal, type Job } from '../../jobs/model.js';
import type { JobView } from '../../jobs/job-service.js';
import { withTimeout } from '../../timing/timeout.js';
import { EVENT_CONTROL } from '../store/port.js';
import type { ExecutorContext } from '../context.js';
import type { RunningJobs } from './runs.js';
import type { TerminalEffects } from './terminal-effects.js';
import { watchJob } from '../service/watch.js';

/** How long cancel waits for a running job to stop before answering with its current state. */
const CANCEL_WAIT_MS = 5000;
/** After the shutdown deadline, how long aborted runs get to write their outcome. */
const ABORT_GRACE_MS = 2000;

export const cancelMessage = (id: string) => JSON.stringify({ type: 'cancel', id });

export function parseControl(payload: string): { type: 'cancel'; id: string } | null {
  try {
    const message = JSON.parse(payload) as { type?: unknown; id?: unknown };
    return message.type === 'cancel' && typeof message.id === 'string' ? { type: 'cancel', id: message.id } : null;
  } catch {
    return null;
  }
}

export class Cancellation {
  constructor(
    private readonly ctx: ExecutorContext,
    private readonly runs: RunningJobs,
    private readonly terminal: TerminalEffects,
    private readonly toView: (job: Job) => Promise<JobView>,
  ) {}

  async cancel(id: string, owner: string | null): Promise<JobView | null> {
    const { coordinator, now, retentionSec } = this.ctx;
    const job = await coordinator.getJob(id);
    if (!job || (owner !== null && job.owner !== owner)) return null;
    if (job.status === 'QUEUED') {
      const cancelled = await coordinator.updateJob(id, {
        from: ['QUEUED'],
        patch: { status: 'CANCELLED', code: 'CANCELLED', error: 'Cancelled by request', finishedAt: new Date(now()).toISOString() },
        retentionSec,
      });
      if (cancelled) {
        await this.terminal.apply(cancelled);
        return this.toView(cancelled);
      }
    } else if (job.status === 'STARTED') {
      await coordinator.publish(EVENT_CONTROL, cancelMessage(id));
      const stopped = await withTimeout(
        CANCEL_WAIT_MS,
        (signal) => this.terminalState(id, signal),
        () => null,
      );
      if (stopped) return this.toView(stopped);
    }
    const latest = await coordinator.getJob(id);
    return latest ? this.toView(latest) : null;
  }

  /** The job once terminal, or null if the watch ends first (aborted, or the record is gone). */
  private async terminalState(id: string, signal: AbortSignal): Promise<Job | null> {
    for await (const update of watchJob(this.ctx.coordinator, id, signal, this.ctx.clock)) if (isTerminal(update.status)) return update;
    return null;
  }

  /** Lets the runs here finish within `deadlineMs`, then stops them (handed over, not cancelled). */
  async shutdown(deadlineMs: number): Promise<void> {
    const drained = this.runs.drained();
    const finished = await withTimeout(
      deadlineMs,
      () => drained.then(() => true),
      () => false,
    );
    if (finished) return;
    this.runs.abortAll('shutdown');
    await withTimeout(
      ABORT_GRACE_MS,
      () => drained,
      () => undefined,
    );
  }
}
