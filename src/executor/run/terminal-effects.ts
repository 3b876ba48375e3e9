/**
 * What follows a terminal state written by this instance: its input images leave the blob store,
 * the journal keeps the record (restored after a store loss), and listeners (callbacks) are told.
 */
import type { Logger } from 'pino';
import { inputKeys, isTerminal, type Job } from '../../jobs/model.js';
import type { BlobStore } from '../../storage/blob-store.js';
import type { StoreLossBackup } from '../store-loss-backup.js';

export class TerminalEffects {
  private readonly listeners = new Set<(job: Job) => void>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly journal: StoreLossBackup,
    private readonly logger: Logger,
  ) {}

  onTerminal(listener: (job: Job) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the inputs are deleted (listeners are told first). */
  async apply(job: Job | null): Promise<void> {
    if (!job || !isTerminal(job.status)) return;
    this.journal.finished(job);
    for (const listener of this.listeners) {
      try {
        listener(job);
      } catch (error) {
        this.logger.error({ err: error }, 'terminal listener failed');
      }
    }
    await deleteInputs(this.blobs, job, this.logger);
  }
}

async function deleteInputs(blobs: BlobStore, job: Pick<Job, 'id' | 'inputs'>, logger: Logger): Promise<void> {
  if (!job.inputs) return;
  try {
    await blobs.delete(inputKeys(job.inputs));
  } catch (error) {
    logger.warn({ err: error, job: job.id }, 'could not delete the input images of a finished job');
  }
}
