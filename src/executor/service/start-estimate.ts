/**
 * When a queued job may start: an estimate, cheap enough for every read of a queued job. Its queue
 * position stays the truth (../fair-queue.ts, Position); the estimate adds time. Each channel the job
 * may run on (its pinned one, or every account in rotation) is next free at the latest of: now, the end
 * of its pacing gap, of a timed state (cooldown, credits), of its closed hours, of its day when its
 * daily cap is reached, and about half a run if it is running a job; it then takes a job every run +
 * its mean pacing gap. The job starts when the
 * position-th of those slots comes (a binary search over time: O(channels · log)), assuming the jobs
 * ahead spread over the same channels. A run lasts what the runs ended here took on average (10 s
 * until one did). The channels' state is read at most once a second.
 */
import { currentHealth, inRotation, TIMED_STATES } from '../../jobs/account.js';
import { gateOf, pacingOf } from '../../jobs/account-pacing.js';
import { isTerminal, type Job } from '../../jobs/model.js';
import type { JobView } from '../../jobs/job-service.js';
import type { ExecutorContext } from '../context.js';

interface Slot {
  channel: string;
  /** When the channel is next free (ms). */
  freeAt: number;
  /** Time per job on it: a run and the mean pacing gap (ms). */
  cycleMs: number;
}

const TYPICAL_RUN_MS = 10_000;
const READ_EVERY_MS = 1000;
/** Weight of the latest run in the running mean. */
const SMOOTHING = 0.2;

export class StartEstimate {
  private runMs = TYPICAL_RUN_MS;
  private slots: { at: number; slots: Promise<Slot[]> } | null = null;

  constructor(private readonly ctx: Pick<ExecutorContext, 'coordinator' | 'config' | 'now'>) {}

  /** A job that ran here ended: its run time joins the mean. */
  observe(job: Job): void {
    if (!isTerminal(job.status) || !job.startedAt || !job.finishedAt || job.code === 'EXECUTOR_LOST') return;
    const ms = Date.parse(job.finishedAt) - Date.parse(job.startedAt);
    if (ms >= 0) this.runMs = (1 - SMOOTHING) * this.runMs + SMOOTHING * ms;
  }

  async of(job: JobView): Promise<string | null> {
    if (job.status !== 'QUEUED' || job.queuePosition === null) return null;
    const all = await this.channelSlots();
    const slots = job.requestedChannel === null ? all : all.filter((s) => s.channel === job.requestedChannel);
    if (slots.length === 0) return null;
    return new Date(Math.max(this.ctx.now(), startOfSlot(slots, job.queuePosition))).toISOString();
  }

  private channelSlots(): Promise<Slot[]> {
    const now = this.ctx.now();
    if (!this.slots || now - this.slots.at > READ_EVERY_MS) {
      this.slots = { at: now, slots: this.readSlots(now) };
      this.slots.slots.catch(() => (this.slots = null));
    }
    return this.slots.slots;
  }

  private async readSlots(now: number): Promise<Slot[]> {
    const { coordinator, config } = this.ctx;
    const accounts = (await coordinator.listAccounts()).filter((a) => inRotation(a, now));
    const pacings = accounts.map((a) => pacingOf(a, config.accounts.pacing));
    const gates = pacings.map((p) => gateOf(p, now));
    const [leases, started] = await Promise.all([
      Promise.all(accounts.map((a) => coordinator.lease(a.channel))),
      coordinator.commandsStartedOn(accounts.map((a, i) => ({ channel: a.channel, day: gates[i]!.commandDay }))),
    ]);
    return accounts.map((a, i) => {
      const [pacing, gate] = [pacings[i]!, gates[i]!];
      const health = currentHealth(a.health, now);
      const timedUntil = TIMED_STATES.has(health.state) ? (health.until ?? now) : now;
      // A spent cap waits for the next day, then for that day's hours.
      const capped = gate.dailyCommands !== null && (started[i] ?? 0) >= gate.dailyCommands;
      const nextDay = now + gate.dayEndsInMs;
      const opensAt = capped ? nextDay + gateOf(pacing, nextDay).closedForMs : now + gate.closedForMs;
      const runningUntil = leases[i] ? now + this.runMs / 2 : now;
      return {
        channel: a.channel,
        freeAt: Math.max(now, a.readyAt, timedUntil, opensAt, runningUntil),
        cycleMs: Math.max(1, this.runMs + pacing.minGapMs + pacing.jitterMs / 2),
      };
    });
  }
}

/** When the `position`-th job slot (1-based) over these channels starts. */
export function startOfSlot(slots: readonly Slot[], position: number): number {
  const count = (t: number) => slots.reduce((n, s) => n + (t < s.freeAt ? 0 : Math.floor((t - s.freeAt) / s.cycleMs) + 1), 0);
  let lo = Math.min(...slots.map((s) => s.freeAt));
  let hi = lo + position * Math.max(...slots.map((s) => s.cycleMs)) + Math.max(...slots.map((s) => s.freeAt)) - lo;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (count(mid) >= position) hi = mid;
    else lo = mid;
  }
  return count(lo) >= position ? lo : hi;
}
