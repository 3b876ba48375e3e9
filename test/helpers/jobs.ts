/** Job records for tests and benchmarks that write to a store directly (no upload, no API). */
import { newQueuedJob, type Job } from '../../src/jobs/model.js';

/** A QUEUED job with small fake images, no inputs and no callback; `overrides` win. */
export function queuedJobRecord(id: string, created: string, overrides: Partial<Job> = {}): Job {
  return {
    ...newQueuedJob({
      id,
      owner: 'owner-a',
      mode: 'QUEUE',
      requestedChannel: null,
      options: null,
      sourceImage: { size: 1, type: 'image/png', filename: 's.png' },
      targetImage: { size: 1, type: 'image/png', filename: 't.png' },
      replyUrl: null,
      replyRef: null,
      created,
      instance: 'instance-a',
      inputs: null,
    }),
    ...overrides,
  };
}
