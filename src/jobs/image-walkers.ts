/**
 * Per-format walkers over an image's structure, fed chunk by chunk as the upload streams past:
 * they read sizes from headers and frame descriptors and skip everything else (pixel data,
 * metadata) without buffering or decoding it. Each stops once it knows what acceptance needs:
 * the size, the frames and their pixels, and whether any image data follows the header (a PNG
 * with only its IHDR, or a JPEG without a scan, is a header and nothing to swap).
 *
 * Formats: PNG (IHDR, then chunks up to the first IDAT), JPEG (markers up to the first SOS), GIF
 * (logical screen, then every block: each image descriptor and its data sub-blocks, to the
 * trailer), WebP (RIFF chunks: VP8, VP8L, or VP8X then the image or animation frames).
 */

export interface ImageFacts {
  /** The image's size: a PNG's or JPEG's frame, a GIF's logical screen, a WebP's canvas. */
  width: number;
  height: number;
  /** Frames seen so far (1 for a still image). */
  frames: number;
  /** Pixels a decoder allocates for the frames seen so far; a GIF frame counts at least its screen. */
  pixels: number;
  /** Whether image data (not just a header) was seen. */
  hasData: boolean;
  /** A GIF's largest frame, when it is larger than the logical screen (decoders allocate it whole). */
  oversizeFrame?: { width: number; height: number };
}

/** What one step of a walk did with the bytes in front of it. */
type Step =
  | { take: number; skip?: number } // consumed `take` bytes, then `skip` more are skipped as they stream past
  | 'more' // needs more bytes than are buffered
  | 'done' // knows all it needs
  | 'broken'; // the structure is not what the format says

export abstract class ImageWalker {
  facts: ImageFacts | null = null;
  state: 'walking' | 'done' | 'broken' = 'walking';
  private pending: Buffer = Buffer.alloc(0);
  private skipping = 0;

  protected abstract step(bytes: Buffer): Step;

  push(chunk: Buffer): void {
    let bytes = chunk;
    for (;;) {
      if (this.state !== 'walking') return;
      if (this.skipping > 0) {
        const skipped = Math.min(this.skipping, bytes.length);
        this.skipping -= skipped;
        bytes = bytes.subarray(skipped);
        if (this.skipping > 0) return;
      }
      const buffered = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
      const step = this.step(buffered);
      this.pending = step === 'more' ? buffered : Buffer.alloc(0);
      if (step === 'more') return;
      if (step === 'done' || step === 'broken') {
        this.state = step;
        return;
      }
      this.skipping = step.skip ?? 0;
      bytes = buffered.subarray(step.take);
    }
  }

  protected found(facts: ImageFacts): void {
    this.facts = facts;
  }
}

const PNG_SIGNATURE_BYTES = 8;

class PngWalker extends ImageWalker {
  protected step(p: Buffer): Step {
    if (this.facts === null) {
      if (p.length < PNG_SIGNATURE_BYTES + 16) return 'more';
      if (p.subarray(12, 16).toString('latin1') !== 'IHDR') return 'broken';
      const width = p.readUInt32BE(16);
      const height = p.readUInt32BE(20);
      this.found({ width, height, frames: 1, pixels: width * height, hasData: false });
      // The signature, IHDR's length and type, its 13 bytes and its CRC.
      return { take: PNG_SIGNATURE_BYTES + 8, skip: 13 + 4 };
    }
    if (p.length < 8) return 'more';
    const length = p.readUInt32BE(0);
    const type = p.subarray(4, 8).toString('latin1');
    if (type === 'IDAT' && length > 0) {
      this.facts.hasData = true;
      return 'done';
    }
    if (type === 'IEND') return 'done';
    return { take: 8, skip: length + 4 };
  }
}

/** JPEG start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
const START_OF_SCAN = 0xda;
const END_OF_IMAGE = 0xd9;

class JpegWalker extends ImageWalker {
  private started = false;

  protected step(p: Buffer): Step {
    if (!this.started) {
      if (p.length < 2) return 'more';
      this.started = true;
      return { take: 2 }; // SOI
    }
    if (p.length < 2) return 'more';
    if (p[0] !== 0xff) return 'broken';
    const marker = p[1]!;
    if (marker === 0xff) return { take: 1 }; // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) return { take: 2 }; // markers without a length
    if (marker === START_OF_SCAN || marker === END_OF_IMAGE) {
      if (this.facts === null) return 'broken'; // a scan, or the end, before any frame header
      this.facts.hasData = marker === START_OF_SCAN;
      return 'done';
    }
    if (p.length < 4) return 'more';
    const length = p.readUInt16BE(2);
    if (length < 2) return 'broken';
    if (isStartOfFrame(marker) && this.facts === null) {
      if (p.length < 9) return 'more';
      const width = p.readUInt16BE(7);
      const height = p.readUInt16BE(5);
      this.found({ width, height, frames: 1, pixels: width * height, hasData: false });
    }
    return { take: 2, skip: length };
  }
}

const GIF_HEADER_BYTES = 13; // signature, version, logical screen descriptor
const GIF_IMAGE = 0x2c;
const GIF_EXTENSION = 0x21;
const GIF_TRAILER = 0x3b;
const colorTableBytes = (packed: number) => (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);

class GifWalker extends ImageWalker {
  /** Inside a block's data sub-blocks: of an image (its data counts) or of an extension. */
  private subBlocksOf: 'image' | 'extension' | null = null;

  protected step(p: Buffer): Step {
    if (this.facts === null) {
      if (p.length < GIF_HEADER_BYTES) return 'more';
      const width = p.readUInt16LE(6);
      const height = p.readUInt16LE(8);
      this.found({ width, height, frames: 0, pixels: 0, hasData: false });
      return { take: GIF_HEADER_BYTES, skip: colorTableBytes(p[10]!) };
    }
    if (this.subBlocksOf !== null) {
      if (p.length < 1) return 'more';
      const size = p[0]!;
      if (size === 0) this.subBlocksOf = null;
      else if (this.subBlocksOf === 'image') this.facts.hasData = true;
      return { take: 1, skip: size };
    }
    if (p.length < 1) return 'more';
    switch (p[0]) {
      case GIF_TRAILER:
        return 'done';
      case GIF_EXTENSION:
        if (p.length < 2) return 'more';
        this.subBlocksOf = 'extension';
        return { take: 2 };
      case GIF_IMAGE: {
        // Descriptor: left, top, width, height (16 bits each), packed; then a local colour table,
        // the LZW minimum code size and the data sub-blocks.
        if (p.length < 11) return 'more';
        const frame = { width: p.readUInt16LE(5), height: p.readUInt16LE(7) };
        const { facts } = this;
        const area = frame.width * frame.height;
        facts.frames++;
        facts.pixels += Math.max(area, facts.width * facts.height);
        const largest = facts.oversizeFrame ?? facts;
        if (area > largest.width * largest.height) facts.oversizeFrame = frame;
        this.subBlocksOf = 'image';
        return { take: 10, skip: colorTableBytes(p[9]!) + 1 };
      }
      default:
        return 'broken';
    }
  }
}

const RIFF_HEADER_BYTES = 12;

class WebpWalker extends ImageWalker {
  private started = false;
  private canvas: { width: number; height: number } | null = null;

  protected step(p: Buffer): Step {
    if (this.started) return this.chunk(p);
    if (p.length < RIFF_HEADER_BYTES) return 'more';
    this.started = true;
    return { take: RIFF_HEADER_BYTES };
  }

  private chunk(p: Buffer): Step {
    if (p.length < 8) return 'more';
    const type = p.subarray(0, 4).toString('latin1');
    const size = p.readUInt32LE(4);
    const padded = size + (size & 1);
    if (type === 'VP8X') {
      if (p.length < 18) return 'more';
      this.canvas = { width: p.readUIntLE(12, 3) + 1, height: p.readUIntLE(15, 3) + 1 };
      const { width, height } = this.canvas;
      this.found({ width, height, frames: 0, pixels: 0, hasData: false });
      return { take: 8, skip: padded };
    }
    if (type === 'ANMF' && this.facts) {
      this.facts.frames++;
      this.facts.pixels += this.facts.width * this.facts.height;
      this.facts.hasData ||= size > 16;
      return { take: 8, skip: padded };
    }
    if (type === 'VP8 ' || type === 'VP8L') return this.still(p, type, size);
    return { take: 8, skip: padded };
  }

  /** A still image's bitstream: its own size (a VP8X canvas, when there is one, is the size that counts). */
  private still(p: Buffer, type: string, size: number): Step {
    if (p.length < 8 + 10) return 'more';
    let own: { width: number; height: number } | null = null;
    if (type === 'VP8 ' && p[11] === 0x9d && p[12] === 0x01 && p[13] === 0x2a)
      own = { width: p.readUInt16LE(14) & 0x3fff, height: p.readUInt16LE(16) & 0x3fff };
    if (type === 'VP8L' && p[8] === 0x2f) {
      const bits = p.readUInt32LE(9);
      own = { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (!own) return 'broken';
    const { width, height } = this.canvas ?? own;
    this.found({ width, height, frames: 1, pixels: width * height, hasData: size > 10 });
    return 'done';
  }
}

const WALKERS: Record<string, () => ImageWalker> = {
  'image/png': () => new PngWalker(),
  'image/jpeg': () => new JpegWalker(),
  'image/gif': () => new GifWalker(),
  'image/webp': () => new WebpWalker(),
};

export function walkerFor(type: string): ImageWalker {
  const create = WALKERS[type];
  if (!create) throw new Error(`no image walker for ${type}`);
  return create();
}
