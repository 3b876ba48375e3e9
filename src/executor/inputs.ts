/** A job's uploaded images as the driver reads them: streamed from the blob store on demand. */
import type { UploadInput } from '../discord/types.js';
import type { Job } from '../jobs/model.js';
import type { BlobStore } from '../storage/blob-store.js';

export class InputMissingError extends Error {
  override readonly name = 'InputMissingError';
}

export function inputsOf(job: Job, blobs: BlobStore): { source: UploadInput; target: UploadInput } | null {
  if (!job.inputs) return null;
  const input = (key: string, file: Job['sourceImage']): UploadInput => ({
    filename: file.filename,
    size: file.size,
    contentType: file.type,
    async open(signal) {
      const blob = await blobs.get(key, signal);
      if (!blob) throw new InputMissingError(`the uploaded image ${file.filename} is no longer in the blob store`);
      return blob.body;
    },
  });
  return { source: input(job.inputs.source, job.sourceImage), target: input(job.inputs.target, job.targetImage) };
}
