/** Values and files the corpus's cases share: expected messages, and headers of decompression bombs. */
import { MAX_PIXELS } from '../target.js';

export const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom'), Buffer.alloc(64)]);
export const MISSING_UPLOAD = 'Required param source_image or target_image_gif_or_video is missing or empty';
export const NOT_A_FILE = 'Param source_image or target_image_gif_or_video is not File or Blob';
export const TOO_LONG = 'Optional param replyUrl or replyRef is too long';
export const NOT_HTTP = 'replyUrl must be an absolute http(s) URL';
export const malformed = (message: string) => `Malformed multipart request: ${message}`;
export const notAnImage = (detected: string, declared: string) =>
  `Param target_image_gif_or_video must be a PNG, JPEG, GIF or WebP image (video is not supported); got ${detected} (declared ${declared})`;

/** Headers of images too large to decode safely (decompression bombs): no pixel data follows. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 2, 0, 0, 0], 16);
  return Buffer.concat([PNG_SIGNATURE, ihdr, Buffer.alloc(64)]);
}
export function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof0 = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    0x01,
    0x22,
    0x00,
    0x02,
    0x11,
    0x01,
    0x03,
    0x11,
    0x01,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.alloc(256)]);
}
export const tooManyPixels = (size: string, megapixels: number) =>
  `Param target_image_gif_or_video is ${size} pixels (${megapixels} megapixels); images of at most ${MAX_PIXELS / 1e6} megapixels are accepted`;
export const invalidOption = (message: string) => `Invalid options: ${message}`;
export const KNOWN_OPTIONS = 'known options: -m, --shut, --ch, --hl, -f, -s, -e, -o, --oldify, -y, -a, -x';
