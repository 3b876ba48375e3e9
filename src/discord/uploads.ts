/**
 * Uploads the job's files (one or two) the way the client does: ask for attachment slots, then PUT each
 * file's bytes to its signed `upload_url` with no Authorization header, streamed from wherever the
 * input lives (the blob store) with a known Content-Length (never read into memory). The PUTs run
 * at once; if one fails or the job's signal aborts, the others are cancelled.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request } from 'undici';
import type { Dispatcher } from 'undici';
import type { UploadInput } from './types.js';
import { DriverError } from './types.js';
import type { AttachmentSlotsRequest, AttachmentSlotsResponse, InteractionAttachmentRef } from './protocol.js';

export type RequestSlots = (request: AttachmentSlotsRequest, signal: AbortSignal) => Promise<AttachmentSlotsResponse>;

/** The attachment refs, in the order of `files`. */
export async function uploadFiles(
  files: readonly UploadInput[],
  requestSlots: RequestSlots,
  dispatcher: Dispatcher,
  signal: AbortSignal,
): Promise<InteractionAttachmentRef[]> {
  if (files.length === 0) return [];
  const wanted = files.map((f, i) => ({ id: String(i), filename: f.filename, file_size: f.size }));
  const { attachments: slots } = await requestSlots({ files: wanted }, signal);
  const puts = new AbortController();
  const both = AbortSignal.any([signal, puts.signal]);
  const refs = files.map(async (file, i): Promise<InteractionAttachmentRef> => {
    const slot = slots.find((s) => String(s.id) === String(i));
    if (!slot) throw uploadError(`Discord returned no upload slot for ${file.filename}`, { file: i });
    await putFile(slot.upload_url, file, dispatcher, both);
    return { id: String(i), filename: file.filename, uploaded_filename: slot.upload_filename };
  });
  try {
    return await Promise.all(
      refs.map((p) =>
        p.catch((err: unknown) => {
          puts.abort(err);
          throw err;
        }),
      ),
    );
  } finally {
    // Let the sibling PUTs settle before returning, so nothing is in flight after a failure.
    await Promise.allSettled(refs);
  }
}

async function putFile(url: string, file: UploadInput, dispatcher: Dispatcher, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const body = await file.open(signal);
  // An abort before the request reads the body errors the stream: the request's own failure reports it.
  body.on('error', () => undefined);
  try {
    const res = await request(url, {
      method: 'PUT',
      body,
      headers: { 'content-length': String(file.size), 'content-type': file.contentType },
      signal,
      dispatcher,
    });
    const text = res.statusCode >= 300 ? (await res.body.text()).slice(0, 500) : (await res.body.dump(), '');
    if (res.statusCode >= 300)
      throw uploadError(`upload PUT of ${file.filename} failed with HTTP ${res.statusCode}`, { status: res.statusCode, body: text });
  } finally {
    body.destroy();
  }
}

function uploadError(message: string, details: Record<string, unknown>): DriverError {
  return new DriverError('DISCORD_ERROR', message, { commandSent: false, details });
}

/** An upload read from a local file (tests, tools). */
export async function localFileInput(path: string, filename: string, contentType: string): Promise<UploadInput> {
  const { size } = await stat(path);
  return { filename, size, contentType, open: () => Promise.resolve(createReadStream(path)) };
}
