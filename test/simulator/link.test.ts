/**
 * SIMULATOR_LINK_MBPS: uploads and CDN downloads take the time their size takes on the link, and the
 * bot's result is the size of the picture (an uncompressed PNG like the real bot's), not a few KB.
 */
import { describe, expect } from 'vitest';
import { makePngOfSize } from '../helpers/images.js';
import { simTest } from '../helpers/sim-fixture.js';
import { finalReply, startPicsi } from '../helpers/sim-session.js';

const MBPS = 40;
/** 1 MB at 40 Mbit/s: 200 ms. */
const BYTES = 1_000_000;
const expectedMs = (bytes: number) => (bytes * 8) / (MBPS * 1000);

describe('the simulator link', () => {
  simTest.override({ simOptions: { linkMbps: MBPS } });

  simTest('uploads and CDN downloads take at least size ÷ rate, and the result is the size of the target', async ({ user }) => {
    const target = await makePngOfSize(BYTES);
    const source = await makePngOfSize(BYTES / 4);
    const t0 = performance.now();
    const { response, nonce } = await startPicsi(user, {
      files: { source: { filename: 'face.png', bytes: source }, target: { filename: 'scene.png', bytes: target } },
    });
    const uploadsMs = performance.now() - t0;
    expect(response.status).toBe(204);
    // The two PUTs run one after the other in the test client: the larger one alone sets the floor.
    expect(uploadsMs).toBeGreaterThanOrEqual(expectedMs(target.length) - 5);

    const [attachment] = (await finalReply(user, nonce)).attachments;
    expect(attachment!.size).toBeGreaterThanOrEqual(target.length * 0.95);
    const t1 = performance.now();
    const bytes = Buffer.from(await (await fetch(attachment!.url)).arrayBuffer());
    expect(bytes.length).toBe(attachment!.size);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(expectedMs(bytes.length) - 5);
  });
});
