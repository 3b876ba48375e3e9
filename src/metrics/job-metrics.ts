/**
 * Metrics driven from the job service's public interface alone: acceptances (a successful
 * `submit`) and every terminal state this instance writes (`onTerminal` fires on the writer only,
 * so summing over instances counts each job once). Queue wait, run time and channel time come from
 * the job's timestamps when it finishes, and only for jobs that ran here: any instance may run any
 * job, and the terminal state of a run is written by the instance that ran it; a job reaped here
 * after its holder died (EXECUTOR_LOST) did not run here.
 */
import { isTerminal, type Job } from '../jobs/model.js';
import type { JobService } from '../jobs/job-service.js';
import type { FinishedStatus, Metrics } from './instrumentation.js';

export interface InstrumentedJobService<S extends JobService> {
  /** The same service, whose `submit` reports accepted jobs. */
  jobs: S;
  stop: () => void;
}

export function instrumentJobService<S extends JobService & { instanceId: string }>(
  service: S,
  metrics: Metrics,
): InstrumentedJobService<S> {
  const submit: JobService['submit'] = async (input) => {
    const job = await service.submit(input);
    metrics.jobAccepted();
    return job;
  };
  // A proxy rather than a copy: whatever else the service has (a class's methods too) stays its own.
  const jobs = new Proxy(service, {
    get(target, key) {
      if (key === 'submit') return submit;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? ((value as (...args: unknown[]) => unknown).bind(target) as unknown) : value;
    },
  });
  const stop = service.onTerminal((job) => recordFinished(job, metrics));
  return { jobs, stop };
}

export function recordFinished(job: Job, metrics: Metrics): void {
  if (!isTerminal(job.status)) return;
  const ranHere = job.startedAt !== null && job.code !== 'EXECUTOR_LOST';
  const runSeconds = ranHere && job.finishedAt ? secondsBetween(job.startedAt!, job.finishedAt) : null;
  metrics.jobFinished(job.status as FinishedStatus, job.code, runSeconds);
  if (!ranHere) return;
  metrics.jobStarted(secondsBetween(job.created, job.startedAt!));
  if (job.channel && runSeconds !== null) metrics.channelBusy(job.channel, runSeconds);
}

const secondsBetween = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/**
 * The scrape-time numbers the job service can give today: configured and busy channels. Queue
 * depth and running jobs need a count the service does not expose yet (listing QUEUED jobs scans
 * the whole job index), so `jobCounts` is left for the executor to provide.
 */
/** Configured and busy channels, from the shared account records. */
export async function countChannels(service: Pick<JobService, 'accounts'>): Promise<{ total: number; busy: number }> {
  const accounts = await service.accounts.list();
  return { total: accounts.length, busy: accounts.filter((a) => a.busy).length };
}
