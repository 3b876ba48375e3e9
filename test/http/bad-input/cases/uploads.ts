/**
 * What an upload must be before a job is accepted (src/jobs/image-walkers.ts): GIF bombs measured
 * frame by frame (IM-01..03), images without data or pixels (IM-04..06), the stored type is the
 * detected one (IM-07, IM-08); and replyUrl's SSRF rules (SS).
 */
import { Readable } from 'node:stream';
import { createUploadSpooler } from '../../../../src/http/upload-spool.js';
import type { Audit, Outcome } from '../audit.js';
import { MAX_PIXELS, pngPart, target, upload } from '../target.js';

const FIELD = 'target_image_gif_or_video';
const refusedTarget = (message: string | RegExp) => ({ status: 200, code: 'BAD_USER_INPUT', message, field: FIELD });

/** A GIF's structure (screen, then each frame's descriptor and one data sub-block): valid to walk, not to decode. */
export function gifWithFrames(width: number, height: number, frames: readonly (readonly [number, number])[]): Buffer {
  const screen = Buffer.alloc(13);
  screen.write('GIF89a', 0, 'latin1');
  screen.writeUInt16LE(width, 6);
  screen.writeUInt16LE(height, 8);
  const parts = [screen];
  for (const [w, h] of frames) {
    const descriptor = Buffer.alloc(10);
    descriptor[0] = 0x2c;
    descriptor.writeUInt16LE(w, 5);
    descriptor.writeUInt16LE(h, 7);
    parts.push(descriptor, Buffer.from([8, 3, 1, 2, 3, 0]));
  }
  return Buffer.concat([...parts, Buffer.from([0x3b])]);
}

/** A PNG of the given chunks after its IHDR (each 16 zero bytes), then IEND. */
export function pngWithChunks(width: number, height: number, chunks: readonly string[]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...chunks.map((type) => chunk(type, Buffer.alloc(16))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const JPEG_WITHOUT_SCAN = Buffer.from([
  0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x10, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9,
]);

const withTarget = (bytes: Buffer, filename: string, type: string) =>
  upload({ files: [pngPart('0'), pngPart('1', bytes, filename, type)] });

/** Spools a real PNG declared as `declared` into the stack's blob store; the outcome names the type stored. */
async function storedTypeOf(declared: string): Promise<Outcome> {
  const store = target.stack.services.blobs;
  const spooler = createUploadSpooler({ store, dir: null, maxFileBytes: 1 << 20, maxPixels: MAX_PIXELS });
  const file = { filename: 'page.html', mimetype: declared, encoding: '7bit', createReadStream: () => Readable.from([target.png]) };
  const staged = await spooler.spool(Promise.resolve(file), FIELD);
  const blob = await store.get(staged.key);
  blob?.body.destroy();
  await spooler.discard(staged);
  return { message: `stored as ${blob?.contentType}, staged as ${staged.contentType}` };
}

export const UPLOAD_AUDITS: Audit[] = [
  {
    id: 'IM-01',
    level: 'MUST',
    group: 'images',
    name: 'a GIF bomb: a 10×10 screen holding a 16383×16383 frame',
    run: () => withTarget(gifWithFrames(10, 10, [[16383, 16383]]), 'bomb.gif', 'image/gif'),
    expect: refusedTarget(
      `Param ${FIELD} is 10×10 pixels holding a 16383×16383 frame (268.4 megapixels); images of at most 4 megapixels are accepted`,
    ),
  },
  {
    id: 'IM-02',
    level: 'MUST',
    group: 'images',
    name: 'a GIF bomb: 4 frames of 64 megapixels (8000×8000)',
    run: () =>
      withTarget(
        gifWithFrames(
          8000,
          8000,
          Array.from({ length: 4 }, () => [8000, 8000] as const),
        ),
        'bomb.gif',
        'image/gif',
      ),
    expect: refusedTarget(
      `Param ${FIELD} is an animation of 4 frames of 8000×8000 pixels (256 megapixels in all); images of at most 4 megapixels are accepted`,
    ),
  },
  {
    id: 'IM-03',
    level: 'MUST',
    group: 'images',
    name: 'a GIF bomb: frames that each fit the limit but not together (4 × 1.5 megapixels)',
    run: () =>
      withTarget(
        gifWithFrames(
          1500,
          1000,
          Array.from({ length: 4 }, () => [1500, 1000] as const),
        ),
        'frames.gif',
        'image/gif',
      ),
    expect: refusedTarget(
      `Param ${FIELD} is an animation of 4 frames of 1500×1000 pixels (6 megapixels in all); images of at most 4 megapixels are accepted`,
    ),
  },
  {
    id: 'IM-04',
    level: 'MUST',
    group: 'images',
    name: 'a PNG with only its IHDR (no pixel data) is not accepted (a run would cost 3 credits for nothing)',
    run: () => withTarget(pngWithChunks(64, 64, []), 'header.png', 'image/png'),
    expect: refusedTarget(`Param ${FIELD} holds an image/png header but no image data (truncated or empty file)`),
  },
  {
    id: 'IM-05',
    level: 'MUST',
    group: 'images',
    name: 'a 0×0 PNG is not accepted',
    run: () => withTarget(pngWithChunks(0, 0, ['IDAT']), 'empty.png', 'image/png'),
    expect: refusedTarget(`Param ${FIELD} is 0×0 pixels: an image without pixels`),
  },
  {
    id: 'IM-06',
    level: 'MUST',
    group: 'images',
    name: 'a JPEG with a frame header and no scan is not accepted',
    run: () => withTarget(JPEG_WITHOUT_SCAN, 'header.jpg', 'image/jpeg'),
    expect: refusedTarget(`Param ${FIELD} holds an image/jpeg header but no image data (truncated or empty file)`),
  },
  {
    id: 'IM-07',
    level: 'MUST',
    group: 'images',
    name: 'a PNG declared text/html is stored as image/png (the detected type, never the declared one)',
    run: () => storedTypeOf('text/html'),
    expect: { message: 'stored as image/png, staged as image/png' },
  },
  {
    id: 'IM-08',
    level: 'MUST',
    group: 'images',
    name: 'a PNG declared image/svg+xml is stored as image/png',
    run: () => storedTypeOf('image/svg+xml'),
    expect: { message: 'stored as image/png, staged as image/png' },
  },
  ...(
    [
      ['http://[::127.0.0.1]/hook', /^replyUrl is refused: ::127\.0\.0\.1 is an IPv4-compatible IPv6 address/],
      ['http://[::a00:1]/hook', /^replyUrl is refused: ::10\.0\.0\.1 is an IPv4-compatible IPv6 address/],
      ['https://hooks.example.com../hook', /^replyUrl is refused: hooks\.example\.com\. has an empty label/],
      ['https://hooks.example.com:22/hook', /^replyUrl is refused: port 22 is not 80, 443 or 1024 and up/],
      ['http://93.184.215.14:25/hook', /^replyUrl is refused: port 25 is not 80, 443 or 1024 and up/],
    ] as const
  ).map(([replyUrl, message], i): Audit => ({
    id: `SS-0${i + 1}`,
    level: 'MUST',
    group: 'ssrf',
    name: `replyUrl ${replyUrl}`,
    run: () => upload({ input: { replyUrl } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message, field: 'replyUrl' },
  })),
];
