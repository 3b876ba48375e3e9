/**
 * What an upload is, from its first bytes: the image type (by magic bytes, never the declared
 * type) and its pixel size, read from the header without decoding (PNG IHDR, JPEG SOF, GIF logical
 * screen, WebP VP8/VP8L/VP8X). Fed chunk by chunk while the file streams to disk; it keeps only
 * the few bytes it still needs (a JPEG's metadata segments are skipped, not buffered).
 */
import { AppError } from '../errors.js';
import { walkerFor, type ImageWalker } from './image-walkers.js';

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

export type HeaderState =
  | { status: 'reading' }
  | { status: 'not-an-image'; content: string }
  | {
      status: 'image';
      kind: ImageType;
      dimensions: Dimensions;
      frames: number;
      pixels: number;
      hasData: boolean;
      oversizeFrame?: Dimensions;
    }
  | { status: 'no-dimensions'; kind: ImageType };

/**
 * Incremental: push chunks as the upload streams (the state may turn to `image` early, with its
 * size, and keep counting frames and pixels until the walk ends); finish() at the end of the stream.
 */
export class ImageHeaderReader {
  private head = Buffer.alloc(0);
  private kind: ImageType | null = null;
  private walker: ImageWalker | null = null;
  state: HeaderState = { status: 'reading' };

  /** The type the bytes show, once the first bytes are in; null before, or for a non-image. */
  get detected(): ImageType | null {
    return this.kind;
  }

  push(chunk: Buffer): HeaderState {
    if (this.state.status === 'not-an-image' || this.state.status === 'no-dimensions') return this.state;
    if (this.walker) return this.update(chunk);
    const needed = SNIFF_BYTES - this.head.length;
    this.head = Buffer.concat([this.head, chunk.subarray(0, needed)]);
    if (this.head.length < SNIFF_BYTES) return this.state;
    this.kind = sniffImageType(this.head);
    if (!this.kind) return (this.state = { status: 'not-an-image', content: describeContent(this.head) });
    this.walker = walkerFor(this.kind.type);
    this.walker.push(this.head);
    return this.update(chunk.subarray(needed));
  }

  /** The stream ended: whatever is still unknown stays unknown. */
  finish(): HeaderState {
    if (this.state.status === 'reading') {
      const kind = this.kind ?? sniffImageType(this.head);
      this.state = kind ? { status: 'no-dimensions', kind } : { status: 'not-an-image', content: describeContent(this.head) };
    }
    return this.state;
  }

  private update(chunk: Buffer): HeaderState {
    const walker = this.walker!;
    if (chunk.length > 0) walker.push(chunk);
    const facts = walker.facts;
    if (!facts) return walker.state === 'broken' ? (this.state = { status: 'no-dimensions', kind: this.kind! }) : this.state;
    const { width, height, frames, pixels, hasData, oversizeFrame } = facts;
    this.state = {
      status: 'image',
      kind: this.kind!,
      dimensions: { width, height },
      frames: Math.max(1, frames),
      pixels: Math.max(pixels, width * height),
      hasData,
      ...(oversizeFrame ? { oversizeFrame } : {}),
    };
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
    case 'image':
      return sizeRefusal(state, { field, maxPixels });
  }
}

/** An image without pixels, or with more than the limit: its single frame or, for an animation, all frames together. */
function sizeRefusal(
  { dimensions: { width, height }, frames, pixels, oversizeFrame }: Extract<HeaderState, { status: 'image' }>,
  { field, maxPixels }: Pick<HeaderLimits, 'field' | 'maxPixels'>,
): AppError | null {
  // A GIF's logical screen may be 0×0 while its frames have pixels.
  if ((width === 0 || height === 0) && !oversizeFrame)
    return new AppError('BAD_USER_INPUT', `Param ${field} is ${width}×${height} pixels: an image without pixels`, { field, width, height });
  if (pixels <= maxPixels) return null;
  const frame = oversizeFrame ? ` holding a ${oversizeFrame.width}×${oversizeFrame.height} frame` : '';
  const size =
    frames > 1
      ? `an animation of ${frames} frames of ${width}×${height} pixels${frame} (${megapixels(pixels)} in all)`
      : `${width}×${height} pixels${frame} (${megapixels(pixels)})`;
  return new AppError('BAD_USER_INPUT', `Param ${field} is ${size}; images of at most ${megapixels(maxPixels)} are accepted`, {
    field,
    width,
    height,
    frames,
    maxPixels,
  });
}

/** The image of a finished header (ImageHeaderReader.finish()), or the BAD_USER_INPUT error that refuses it. */
export function acceptedImage(state: HeaderState, limits: HeaderLimits): { kind: ImageType; dimensions: Dimensions; frames: number } {
  const refused = headerRefusal(state.status === 'reading' ? { status: 'not-an-image', content: 'an unreadable file' } : state, limits);
  if (refused) throw refused;
  if (state.status !== 'image') throw new Error(`headerRefusal accepted a ${state.status} header`);
  if (!state.hasData) {
    throw new AppError(
      'BAD_USER_INPUT',
      `Param ${limits.field} holds an ${state.kind.type} header but no image data (truncated or empty file)`,
      {
        field: limits.field,
      },
    );
  }
  return state;
}

const megapixels = (pixels: number) => `${Math.round(pixels / 100_000) / 10} megapixels`;
