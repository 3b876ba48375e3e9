/**
 * The simulator's link (SIMULATOR_LINK_MBPS): attachment uploads and CDN downloads go no faster than
 * this many Mbit/s each, so a benchmark on loopback pays for image sizes the way a server on a real
 * link does. Each transfer is limited on its own (a server's link is not shared between them here),
 * which is how the uploads of one job run side by side. Unset or 0: no limit.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** Chunks of a paced download: small enough that the pace is even, large enough to cost little. */
const CHUNK_BYTES = 64 * 1024;

/** Milliseconds `bytes` take at `mbps` (0 when there is no limit). */
export const transferMs = (bytes: number, mbps: number): number => (mbps > 0 ? (bytes * 8) / (mbps * 1000) : 0);

/** Waits until an upload of `bytes` that started at `startedAt` (performance.now()) would have arrived. */
export async function paceUpload(bytes: number, mbps: number, startedAt: number): Promise<void> {
  const left = startedAt + transferMs(bytes, mbps) - performance.now();
  if (left > 0) await sleep(left);
}

/** Writes `payload` in chunks at `mbps`, then ends the response; stops early when the client went away. */
export async function paceDownload(res: ServerResponse, payload: Buffer, mbps: number): Promise<void> {
  const started = performance.now();
  for (let offset = 0; offset < payload.length; offset += CHUNK_BYTES) {
    if (res.destroyed) return;
    res.write(payload.subarray(offset, offset + CHUNK_BYTES));
    const due = started + transferMs(Math.min(payload.length, offset + CHUNK_BYTES), mbps) - performance.now();
    if (due > 0) await sleep(due);
  }
  res.end();
}
