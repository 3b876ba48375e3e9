/** A job's uploaded images as the driver reads them: streamed from the blob store on demand. */
import type { UploadInput } from '../../discord/types.js';
import type { FileInfo, Job } from '../../jobs/model.js';
import type { BlobStore } from '../../storage/blob-store.js';

export class InputMissingError extends Error {
  override readonly name = 'InputMissingError';
}

/** The images the job's command takes (a face and/or a target), each present when the job has it. */
export interface JobUploads {
  source?: UploadInput;
  target?: UploadInput;
}

export function inputsOf(job: Job, blobs: BlobStore): JobUploads | null {
  if (!job.inputs) return null;
  const input = (key: string | undefined, file: FileInfo | null): UploadInput | undefined =>
    key === undefined || file === null
      ? undefined
      : {
          filename: file.filename,
          size: file.size,
          contentType: file.type,
          async open(signal) {
            const blob = await blobs.get(key, signal);
            if (!blob) throw new InputMissingError(`the uploaded image ${file.filename} is no longer in the blob store`);
            return blob.body;
          },
        };
  const source = input(job.inputs.source, job.sourceImage);
  const target = input(job.inputs.target, job.targetImage);
  return { ...(source ? { source } : {}), ...(target ? { target } : {}) };
}

/**
 * Throws InputMissingError when an image is gone from the blob store. A run with staged uploads reads
 * no image, yet a job whose images are gone had ended (a lost store write rolled it back) and must
 * not run again: the check the upload would have made.
 */
export async function confirmInputs(inputs: JobUploads | null, signal: AbortSignal): Promise<void> {
  for (const input of [inputs?.source, inputs?.target]) {
    signal.throwIfAborted();
    // Opened without the run's signal: a stream closed at once must not be errored by a later abort.
    if (input) (await input.open(NEVER_ABORTED)).destroy();
  }
}

const NEVER_ABORTED = new AbortController().signal;
