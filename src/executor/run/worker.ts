/**
 * Runs one claimed job: drives Discord while holding the channel lease (lease-keeper.ts) and
 * writes the outcome through the fenced update (writes.ts). The nonce is written on the job
 * before POST /interactions (command-record.ts), so a job whose holder dies after the send is
 * followed (adopted) by the channel's next holder instead of being sent twice; an adopted job runs
 * `driver.follow` instead of `driver.run`. Every kind of job (its bot command: the job's verb) runs
 * the same way. The channel is held only while the bot works: an answer with result files releases
 * it at once and the files are copied into the blob store afterwards (./result-copies/); a text
 * answer is COMPLETED (outcome.ts).
 */
import type { CommandResult, DiscordAccount, StagedUploads } from '../../discord/types.js';
import { commandOf, COMMAND_INPUTS } from '../../jobs/commands.js';
import type { Job } from '../../jobs/model.js';
import { commandRecordHooks } from './command-record.js';
import type { Claimed, JobPatch } from '../store/port.js';
import { confirmInputs, InputMissingError, type JobUploads } from './inputs.js';
import { keepLease } from './lease-keeper.js';
import { abortedOutcome, answeredOutcome, failedOutcome, type OutcomeScope } from './outcome.js';
import type { AbortReason, RunScope, WorkerDeps } from './scope.js';
import { runWrites } from './writes.js';

export type { AbortReason, WorkerDeps } from './scope.js';
export { detailsOf } from './outcome.js';

export interface RunningJob {
  jobId: string;
  abort(reason: AbortReason): void;
  /** Resolves with the written record, or null when the store refused or could not take it. */
  done: Promise<Job | null>;
  /** The outcome this run tried to write last (what to restore if the store lost the record). */
  attemptedOutcome(): JobPatch | null;
}

export function runJob(
  deps: WorkerDeps,
  claimed: Claimed,
  token: string,
  account: DiscordAccount,
  inputs: JobUploads | null,
  staged: Promise<StagedUploads | null> | null = null,
): RunningJob {
  const job = claimed.job;
  const channel = job.channel!;
  const scope: RunScope = { deps, job, channel, token, account, log: deps.logger.child({ job: job.id, channel }) };
  const controller = new AbortController();
  let abortReason: AbortReason | null = null;
  const abort = (reason: AbortReason) => {
    if (controller.signal.aborted) return;
    abortReason = reason;
    controller.abort(new Error(reason));
  };
  const lease = keepLease({ ...leaseOf(scope), onLost: () => abort('lease-lost') });
  const hooks = sendingHooks(scope, controller.signal, () => abort('lease-lost'));
  const adopted = claimed.adopted && job.command != null;
  const outcome: OutcomeScope = { ...scope, writes: runWrites(scope), adopted, sent: () => hooks.sent() };

  const done = (async (): Promise<Job | null> => {
    try {
      if (adopted) scope.log.warn({ nonce: job.command!.nonce }, 'adopted a job whose command an earlier holder sent: following it');
      const result = await drive(scope, { adopted, inputs, staged, hooks, signal: controller.signal });
      if (abortReason) return await abortedOutcome(outcome, abortReason);
      return await answeredOutcome(outcome, result);
    } catch (error) {
      if (abortReason) return await abortedOutcome(outcome, abortReason);
      return await failedOutcome(outcome, error);
    } finally {
      lease.stop();
    }
  })().catch((error: unknown) => {
    // The store is unreachable: the reaper of a live instance finishes the job (EXECUTOR_LOST).
    scope.log.error({ err: error }, 'could not write the job outcome');
    return null;
  });

  return { jobId: job.id, abort, done, attemptedOutcome: () => outcome.writes.attempted() };
}

const leaseOf = ({ deps, channel, token, log }: RunScope) => ({
  coordinator: deps.coordinator,
  channel,
  token,
  ttlMs: deps.leaseTtlMs,
  clock: deps.clock,
  logger: log,
});

/** The command-record hooks (the nonce written before the send), telling the worker when the command goes. */
function sendingHooks(scope: RunScope, signal: AbortSignal, onUnrecorded: () => void) {
  const { deps, job, channel, token, log } = scope;
  const recorded = commandRecordHooks(
    { coordinator: deps.coordinator, jobId: job.id, channel, token, signal, logger: log, onUnrecorded, clock: deps.clock },
    job.command ?? null,
  );
  return {
    ...recorded,
    async onCommandSending(sent: Parameters<typeof recorded.onCommandSending>[0]) {
      await recorded.onCommandSending(sent);
      deps.onSending?.();
    },
  };
}

interface DriveInput {
  adopted: boolean;
  inputs: JobUploads | null;
  staged: Promise<StagedUploads | null> | null;
  hooks: ReturnType<typeof sendingHooks>;
  signal: AbortSignal;
}

/** Sends the job's command (its inputs confirmed first), or follows the one an earlier holder sent. */
async function drive({ deps, job, account }: RunScope, { adopted, inputs, staged, hooks, signal }: DriveInput): Promise<CommandResult> {
  const kind = commandOf(job.verb);
  if (adopted) return deps.driver.follow({ jobId: job.id, account, command: job.command!, kind }, signal, hooks);
  const needs = COMMAND_INPUTS[kind];
  if ((needs.source && !inputs?.source) || (needs.target && !inputs?.target))
    throw new InputMissingError('The job has no input images in the blob store');
  const uploads = staged ? await staged : null;
  if (uploads) await confirmInputs(inputs, signal);
  return deps.driver.run(
    { jobId: job.id, account, command: kind, options: job.options, idname: job.idname ?? null, ...inputs, staged: uploads },
    signal,
    hooks,
  );
}
