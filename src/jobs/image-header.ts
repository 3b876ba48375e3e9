/**
 * What an upload is, from its first bytes: the image type (by magic bytes, never the declared
 * type) and its pixel size, read from the header without decoding (PNG IHDR, JPEG SOF, GIF logical
 * screen, WebP VP8/VP8L/VP8X). Fed chunk by chunk while the file streams to disk; it keeps only
 * the few bytes it still needs (a JPEG's metadata segments are skipped, not buffered).
 */
import { AppError } from '../errors.js';

export interface ImageType {
  type: string;
  extension: string;
}

export interface Dimensions {
  width: number;
  height: number;
}

/** Image types the bot accepts, by magic bytes. Video is refused (the hosted API does not support it). */
const IMAGE_SIGNATURES: readonly (ImageType & { matches: (head: Buffer) => boolean })[] = [
  {
    type: 'image/png',
    extension: 'png',
    matches: (h) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: 'image/jpeg', extension: 'jpg', matches: (h) => h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff },
  {
    type: 'image/gif',
    extension: 'gif',
    matches: (h) => h.subarray(0, 6).toString('latin1') === 'GIF87a' || h.subarray(0, 6).toString('latin1') === 'GIF89a',
  },
  {
    type: 'image/webp',
    extension: 'webp',
    matches: (h) => h.subarray(0, 4).toString('latin1') === 'RIFF' && h.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

/** Bytes needed to tell the type apart. */
export const SNIFF_BYTES = 12;

export const sniffImageType = (head: Buffer): ImageType | null => {
  const found = IMAGE_SIGNATURES.find((s) => s.matches(head));
  return found ? { type: found.type, extension: found.extension } : null;
};

/** Words for what a non-image upload looks like, for the error message ("got plain text"). */
export function describeContent(head: Buffer): string {
  if (head.length === 0) return 'an empty file';
  const ascii = (start: number, end: number) => head.subarray(start, end).toString('latin1');
  if (ascii(4, 8) === 'ftyp')
    return /^(heic|heix|mif1|avif)/.test(ascii(8, 12))
      ? `a ${ascii(8, 12).startsWith('avif') ? 'AVIF' : 'HEIC'} image`
      : 'an MP4/MOV video';
  if (head.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]))) return 'a WebM/MKV video';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'AVI ') return 'an AVI video';
  if (ascii(0, 5) === '%PDF-') return 'a PDF document';
  if (ascii(0, 4) === 'PK\x03\x04') return 'a ZIP archive';
  if (ascii(0, 2) === 'BM') return 'a BMP image';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'a TIFF image';
  if (/^\s*<(\?xml|svg)/i.test(head.toString('utf8'))) return 'an SVG/XML document';
  if (head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b !== 0x7f))) return 'plain text';
  return 'unrecognised binary data';
}

const BYTES_NEEDED: Record<string, number> = { 'image/png': 24, 'image/gif': 10, 'image/webp': 30 };

/** Reads dimensions from the fixed-position header of PNG, GIF and WebP; null if not there (yet). */
function fixedHeaderDimensions(type: string, h: Buffer): Dimensions | null {
  if (h.length < (BYTES_NEEDED[type] ?? Infinity)) return null;
  if (type === 'image/png')
    return h.subarray(12, 16).toString('latin1') === 'IHDR' ? { width: h.readUInt32BE(16), height: h.readUInt32BE(20) } : null;
  if (type === 'image/gif') return { width: h.readUInt16LE(6), height: h.readUInt16LE(8) };
  const chunk = h.subarray(12, 16).toString('latin1');
  if (chunk === 'VP8 ' && h[23] === 0x9d && h[24] === 0x01 && h[25] === 0x2a)
    return { width: h.readUInt16LE(26) & 0x3fff, height: h.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8L' && h[20] === 0x2f) {
    const bits = h.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: h.readUIntLE(24, 3) + 1, height: h.readUIntLE(27, 3) + 1 };
  return null;
}

/** JPEG start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** Walks JPEG markers from just after SOI, skipping segment bodies as they stream past. */
class JpegFrameFinder {
  private pending = Buffer.alloc(0);
  private skip = 0;
  failed = false;

  push(chunk: Buffer): Dimensions | null {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.skip > 0) {
        const skipped = Math.min(this.skip, this.pending.length);
        this.pending = this.pending.subarray(skipped);
        this.skip -= skipped;
        if (this.skip > 0) return null;
      }
      const p = this.pending;
      if (p.length < 2) return null;
      if (p[0] !== 0xff) {
        this.failed = true;
        return null;
      }
      const marker = p[1]!;
      if (marker === 0xff) {
        this.pending = p.subarray(1); // fill byte
        continue;
      }
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
        this.pending = p.subarray(2); // markers without a length
        continue;
      }
      if (marker === 0xd9 || marker === 0xda) {
        this.failed = true; // end of image or scan data before any frame header
        return null;
      }
      if (p.length < 4) return null;
      const length = p.readUInt16BE(2);
      if (isStartOfFrame(marker)) {
        if (p.length < 9) return null;
        return { width: p.readUInt16BE(7), height: p.readUInt16BE(5) };
      }
      if (length < 2) {
        this.failed = true;
        return null;
      }
      this.pending = p.subarray(2);
      this.skip = length;
    }
  }
}

export type HeaderState =
  | { status: 'reading' }
  | { status: 'not-an-image'; content: string }
  | { status: 'image'; kind: ImageType; dimensions: Dimensions }
  | { status: 'no-dimensions'; kind: ImageType };

/** Incremental: push chunks until the state is no longer 'reading'; finish() at the end of the stream. */
export class ImageHeaderReader {
  private head = Buffer.alloc(0);
  private kind: ImageType | null = null;
  private jpeg: JpegFrameFinder | null = null;
  state: HeaderState = { status: 'reading' };

  /** Header bytes kept: enough for every fixed-position header. */
  private static readonly HEAD_BYTES = 32;

  push(chunk: Buffer): HeaderState {
    if (this.state.status !== 'reading') return this.state;
    const fresh = chunk.subarray(0, Math.max(0, ImageHeaderReader.HEAD_BYTES - this.head.length));
    this.head = Buffer.concat([this.head, fresh]);
    if (!this.kind) {
      if (this.head.length < SNIFF_BYTES) return this.state;
      this.kind = sniffImageType(this.head);
      if (!this.kind) return (this.state = { status: 'not-an-image', content: describeContent(this.head) });
      if (this.kind.type === 'image/jpeg') {
        this.jpeg = new JpegFrameFinder();
        return this.readJpeg(this.head.subarray(2), chunk.subarray(fresh.length));
      }
    } else if (this.jpeg) {
      return this.readJpeg(fresh, chunk.subarray(fresh.length));
    }
    if (this.jpeg) return this.state;
    const dimensions = fixedHeaderDimensions(this.kind.type, this.head);
    if (dimensions) this.state = { status: 'image', kind: this.kind, dimensions };
    else if (this.head.length >= (BYTES_NEEDED[this.kind.type] ?? 0)) this.state = { status: 'no-dimensions', kind: this.kind };
    return this.state;
  }

  /** The stream ended: whatever is still unknown stays unknown. */
  finish(): HeaderState {
    if (this.state.status !== 'reading') return this.state;
    const kind = this.kind ?? sniffImageType(this.head);
    this.state = kind ? { status: 'no-dimensions', kind } : { status: 'not-an-image', content: describeContent(this.head) };
    return this.state;
  }

  private readJpeg(...parts: Buffer[]): HeaderState {
    const jpeg = this.jpeg!;
    let dimensions: Dimensions | null = null;
    for (const part of parts) {
      if (part.length === 0 || dimensions || jpeg.failed) continue;
      dimensions = jpeg.push(part);
    }
    if (dimensions) this.state = { status: 'image', kind: this.kind!, dimensions };
    else if (jpeg.failed) this.state = { status: 'no-dimensions', kind: this.kind! };
    return this.state;
  }
}

export interface HeaderLimits {
  /** The argument's name in error messages. */
  field: string;
  /** The client's Content-Type for the part, shown next to what the bytes really are. */
  declared: string;
  maxPixels: number;
}

/** The BAD_USER_INPUT error for a header that rules the upload out; null while it may still be accepted. */
export function headerRefusal(state: HeaderState, { field, declared, maxPixels }: HeaderLimits): AppError | null {
  switch (state.status) {
    case 'reading':
      return null;
    case 'not-an-image':
      return new AppError(
        'BAD_USER_INPUT',
        `Param ${field} must be a PNG, JPEG, GIF or WebP image (video is not supported); got ${state.content} (declared ${declared || 'without a type'})`,
        { field },
      );
    case 'no-dimensions':
      return new AppError(
        'BAD_USER_INPUT',
        `Param ${field} is not a readable ${state.kind.type} image: its header holds no image size (truncated or corrupt file)`,
        { field },
      );
    case 'image': {
      const { width, height } = state.dimensions;
      if (width * height <= maxPixels) return null;
      return new AppError(
        'BAD_USER_INPUT',
        `Param ${field} is ${width}×${height} pixels (${megapixels(width * height)}); images of at most ${megapixels(maxPixels)} are accepted`,
        {
          field,
          width,
          height,
          maxPixels,
        },
      );
    }
  }
}

/** The image of a finished header (ImageHeaderReader.finish()), or the BAD_USER_INPUT error that refuses it. */
export function acceptedImage(state: HeaderState, limits: HeaderLimits): { kind: ImageType; dimensions: Dimensions } {
  const refused = headerRefusal(state.status === 'reading' ? { status: 'not-an-image', content: 'an unreadable file' } : state, limits);
  if (refused) throw refused;
  if (state.status !== 'image') throw new Error(`headerRefusal accepted a ${state.status} header`);
  return state;
}

const megapixels = (pixels: number) => `${Math.round(pixels / 100_000) / 10} megapixels`;
