/**
 * The driver's hooks that write the command on the job (fenced by the run's lease token): the nonce
 * before POST /interactions — if it cannot be written, nothing is sent — and the interaction id
 * once the gateway tells it (best effort: the nonce and the channel history find the reply anyway).
 */
import type { Logger } from 'pino';
import type { CommandHooks } from '../../discord/types.js';
import type { SentCommand } from '../../jobs/model.js';
import { jitteredDelayMs } from '../../timing/backoff.js';
import { sleep, systemClock, type Clock } from '../../timing/clock.js';
import type { Coordinator } from '../store/port.js';

/** Attempts at recording the command before the send (the send waits for it). */
const ATTEMPTS = 3;
const RETRY_BACKOFF = { baseMs: 500, capMs: 1000, jitter: 'equal' } as const;

export interface CommandRecordDeps {
  coordinator: Coordinator;
  jobId: string;
  channel: string;
  token: string;
  signal: AbortSignal;
  /** The backoff between tries (default the system clock). */
  clock?: Clock;
  logger: Logger;
  /** The command could not be recorded (store unreachable, or the fence refused): stop the run. */
  onUnrecorded(): void;
}

export function commandRecordHooks(d: CommandRecordDeps, initial: SentCommand | null): Required<CommandHooks> & { sent(): boolean } {
  let command = initial;
  const record = (sent: SentCommand) => d.coordinator.markCommandSent(d.jobId, d.channel, d.token, sent);
  return {
    sent: () => command !== null,
    async onCommandSending(sent) {
      for (let attempt = 1; attempt <= ATTEMPTS && !d.signal.aborted; attempt++) {
        try {
          if (await record(sent)) {
            command = sent;
            return;
          }
          break; // refused by the fence: another holder owns the job
        } catch {
          // An abort ends the wait early; the loop then stops at its check.
          if (attempt < ATTEMPTS) await sleep(d.clock ?? systemClock, jitteredDelayMs(attempt, RETRY_BACKOFF, Math.random), d.signal);
        }
      }
      d.onUnrecorded();
      throw new Error('could not record the command on the job; not sending it');
    },
    onInteractionId(interactionId) {
      if (!command) return;
      command = { ...command, interactionId };
      record(command).catch((error: unknown) =>
        d.logger.debug({ err: error }, 'could not record the interaction id (the nonce and history still find the reply)'),
      );
    },
  };
}
