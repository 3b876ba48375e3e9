/** Image type and pixel size from the first bytes, fed in chunks of any size, for every accepted format. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { describeContent, headerRefusal, ImageHeaderReader } from '../../src/jobs/image-header.js';

const FORMATS = [
  { format: 'png', type: 'image/png', options: {} },
  { format: 'jpeg', type: 'image/jpeg', options: {} },
  { format: 'gif', type: 'image/gif', options: {} },
  { format: 'webp', type: 'image/webp', options: {} }, // VP8 (lossy)
  { format: 'webp', type: 'image/webp', options: { lossless: true } }, // VP8L
] as const;

function read(bytes: Buffer, chunkSize: number) {
  const reader = new ImageHeaderReader();
  for (let i = 0; i < bytes.length; i += chunkSize) reader.push(bytes.subarray(i, i + chunkSize));
  return reader.finish();
}

describe('ImageHeaderReader', () => {
  for (const { format, type, options } of FORMATS) {
    it(`reads ${format} ${JSON.stringify(options)} dimensions in chunks of 1, 7 and all bytes`, async () => {
      // EXIF metadata puts a large APP1 segment before a JPEG's frame header (and makes WebP VP8X).
      const bytes = await sharp({ create: { width: 321, height: 123, channels: 3, background: '#336699' } })
        .withMetadata({ exif: { IFD0: { Copyright: 'x'.repeat(5000) } } })
        .toFormat(format, options)
        .toBuffer();
      for (const size of [1, 7, bytes.length]) {
        expect(read(bytes, size)).toEqual({
          status: 'image',
          kind: expect.objectContaining({ type }),
          dimensions: { width: 321, height: 123 },
          frames: 1,
          pixels: 321 * 123,
          hasData: true,
        });
      }
    });
  }

  it('reads a WebP VP8X canvas size', async () => {
    const bytes = await sharp({ create: { width: 2000, height: 30, channels: 4, background: '#33669980' } })
      .webp()
      .toBuffer();
    expect(bytes.subarray(12, 16).toString('latin1')).toMatch(/VP8[XL ]/);
    expect(read(bytes, 5)).toMatchObject({ status: 'image', dimensions: { width: 2000, height: 30 } });
  });

  it('names what a non-image is', () => {
    expect(read(Buffer.from('just some text, really'), 3)).toEqual({ status: 'not-an-image', content: 'plain text' });
    expect(describeContent(Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42')]))).toBe('an MP4/MOV video');
    expect(describeContent(Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic')]))).toBe('a HEIC image');
    expect(describeContent(Buffer.from('%PDF-1.4 ...'))).toBe('a PDF document');
    expect(describeContent(Buffer.from([0x00, 0x01, 0x02, 0xfe, 0xff, 0x10, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0]))).toBe(
      'unrecognised binary data',
    );
  });

  it('a JPEG whose scan starts before any frame header has no dimensions', () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(read(bytes, 4)).toEqual({ status: 'no-dimensions', kind: expect.objectContaining({ type: 'image/jpeg' }) });
  });

  it('refuses more pixels than the limit, with the size in the message', () => {
    const state = {
      status: 'image',
      kind: { type: 'image/png', extension: 'png' },
      dimensions: { width: 9000, height: 8000 },
      frames: 1,
      pixels: 72_000_000,
      hasData: true,
    } as const;
    expect(headerRefusal(state, { field: 'source_image', declared: 'image/png', maxPixels: 72_000_000 })).toBeNull();
    const refused = headerRefusal(state, { field: 'source_image', declared: 'image/png', maxPixels: 64_000_000 });
    expect(refused).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'Param source_image is 9000×8000 pixels (72 megapixels); images of at most 64 megapixels are accepted',
      extensions: { field: 'source_image', width: 9000, height: 8000 },
    });
  });
});

describe('ImageHeaderReader: frames and data', () => {
  const limits = { field: 'target_image_gif_or_video', declared: 'image/gif', maxPixels: 64_000_000 };

  it('counts the frames of an animated GIF and their pixels, each at least its screen', async () => {
    const frame = (color: string) =>
      sharp({ create: { width: 40, height: 30, channels: 3, background: color } })
        .png()
        .toBuffer();
    const frames = await Promise.all(['#ff0000', '#00ff00', '#0000ff'].map(frame));
    const gif = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
    expect(read(gif, 11)).toMatchObject({
      status: 'image',
      dimensions: { width: 40, height: 30 },
      frames: 3,
      pixels: 3 * 40 * 30,
      hasData: true,
    });
  });

  it('refuses a GIF whose frame is far larger than its logical screen (a decompression bomb in 10×10)', () => {
    const state = read(gifWithFrames(10, 10, [[16383, 16383]]), 64);
    expect(state).toMatchObject({ status: 'image', frames: 1, pixels: 16383 * 16383 });
    expect(headerRefusal(state, limits)?.message).toBe(
      'Param target_image_gif_or_video is 10×10 pixels holding a 16383×16383 frame (268.4 megapixels); images of at most 64 megapixels are accepted',
    );
  });

  it('refuses the frames of a GIF together: 4 frames of 20 megapixels', () => {
    const state = read(
      gifWithFrames(5000, 4000, [
        [5000, 4000],
        [5000, 4000],
        [5000, 4000],
        [5000, 4000],
      ]),
      1000,
    );
    expect(headerRefusal(state, limits)?.message).toBe(
      'Param target_image_gif_or_video is an animation of 4 frames of 5000×4000 pixels (80 megapixels in all); images of at most 64 megapixels are accepted',
    );
  });

  it('a PNG with only its IHDR has no data; a 0×0 PNG has no pixels', () => {
    const ihdrOnly = pngChunks(1, 1, []);
    expect(read(ihdrOnly, 5)).toMatchObject({ status: 'image', hasData: false });
    const empty = read(pngChunks(0, 0, ['IDAT']), 5);
    expect(headerRefusal(empty, limits)?.message).toBe('Param target_image_gif_or_video is 0×0 pixels: an image without pixels');
  });
});

/** A GIF's structure (screen, then each frame's descriptor and one data sub-block): valid to walk, not to decode. */
function gifWithFrames(width: number, height: number, frames: [number, number][]): Buffer {
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
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}

function pngChunks(width: number, height: number, chunks: string[]): Buffer {
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
