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
  for (let i = 0; i < bytes.length && reader.state.status === 'reading'; i += chunkSize) reader.push(bytes.subarray(i, i + chunkSize));
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
    const state = { status: 'image', kind: { type: 'image/png', extension: 'png' }, dimensions: { width: 9000, height: 8000 } } as const;
    expect(headerRefusal(state, { field: 'source_image', declared: 'image/png', maxPixels: 72_000_000 })).toBeNull();
    const refused = headerRefusal(state, { field: 'source_image', declared: 'image/png', maxPixels: 64_000_000 });
    expect(refused).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'Param source_image is 9000×8000 pixels (72 megapixels); images of at most 64 megapixels are accepted',
      extensions: { field: 'source_image', width: 9000, height: 8000 },
    });
  });
});
