// The upload rules the page can check before sending a byte: the type by its magic bytes (never
// the declared type), the size, the pixel size from the image header, and a GIF target's frame
// count. The server checks the same rules (src/jobs/image-header.ts, src/jobs/command-costs.ts);
// this only spares people an upload that would be refused.

const ascii = (bytes, start, end) => String.fromCharCode(...bytes.subarray(start, end));

/** Image types the bot accepts, by magic bytes, each with how to read its pixel size. */
const IMAGE_TYPES = [
  {
    name: 'PNG',
    matches: (b) => b[0] === 0x89 && ascii(b, 1, 4) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a,
    size: (b, view) => (ascii(b, 12, 16) === 'IHDR' ? { width: view.getUint32(16), height: view.getUint32(20) } : null),
  },
  { name: 'JPEG', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff, size: (b, view) => jpegSize(view) },
  {
    name: 'GIF',
    matches: (b) => ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a',
    size: (b, view) => (b.length >= 10 ? { width: view.getUint16(6, true), height: view.getUint16(8, true) } : null),
  },
  { name: 'WebP', matches: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP', size: (b, view) => webpSize(b, view) },
];

/** What a file that is not one of those looks like, in words. */
const LOOKALIKES = [
  { test: (b) => ascii(b, 4, 8) === 'ftyp' && /^(heic|heix|mif1)/.test(ascii(b, 8, 12)), words: 'a HEIC photo' },
  { test: (b) => ascii(b, 4, 8) === 'ftyp' && ascii(b, 8, 12).startsWith('avif'), words: 'an AVIF image' },
  { test: (b) => ascii(b, 4, 8) === 'ftyp', words: 'a video' },
  { test: (b) => b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3, words: 'a video' },
  { test: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'AVI ', words: 'a video' },
  { test: (b) => ascii(b, 0, 5) === '%PDF-', words: 'a PDF document' },
  { test: (b) => ascii(b, 0, 4) === 'PK\x03\x04', words: 'a ZIP archive' },
  { test: (b) => ascii(b, 0, 2) === 'BM', words: 'a BMP image' },
  { test: (b) => ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*', words: 'a TIFF image' },
  { test: (b) => /^\s*<(\?xml|svg)/i.test(ascii(b, 0, 64)), words: 'an SVG drawing' },
  { test: (b) => b.every((c) => c === 9 || c === 10 || c === 13 || (c >= 0x20 && c !== 0x7f)), words: 'a text file' },
];

/** JPEG: walks the marker segments to the first start-of-frame. */
function jpegSize(view) {
  let at = 2;
  while (at + 4 <= view.byteLength) {
    if (view.getUint8(at) !== 0xff) return null;
    const marker = view.getUint8(at + 1);
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame && at + 9 <= view.byteLength) return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
    at += 2 + view.getUint16(at + 2);
  }
  return null;
}

function webpSize(b, view) {
  if (b.length < 30) return null;
  const chunk = ascii(b, 12, 16);
  if (chunk === 'VP8 ' && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a)
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  if (chunk === 'VP8L' && b[20] === 0x2f) {
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  const uint24 = (at) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
  if (chunk === 'VP8X') return { width: uint24(24) + 1, height: uint24(27) + 1 };
  return null;
}

/** Skips a GIF's data sub-blocks from `at`; returns the index after the terminator (or past the end). */
function skipSubBlocks(b, at) {
  while (at < b.length && b[at] !== 0) at += b[at] + 1;
  return at + 1;
}

/** The number of images (frames) in a GIF, counting its image descriptors. */
export function gifFrames(b) {
  let at = 13;
  if (b[10] & 0x80) at += 3 * 2 ** ((b[10] & 7) + 1);
  let frames = 0;
  while (at < b.length) {
    const block = b[at];
    if (block === 0x3b) break;
    if (block === 0x21) at = skipSubBlocks(b, at + 2);
    else if (block === 0x2c) {
      frames += 1;
      const packed = b[at + 9];
      at += 10 + (packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0);
      at = skipSubBlocks(b, at + 1);
    } else break;
  }
  return frames;
}

const megabytes = (bytes) => `${Math.round((bytes / 1048576) * 10) / 10} MB`;
const megapixels = (pixels) => `${Math.round(pixels / 100_000) / 10} megapixels`;

/**
 * Checks a picked file against the page's rules. `rules`: { maxFileBytes, maxPixels, gif } where
 * gif (targets only) is { maxBytes, maxFrames } or null. Resolves { ok: true, image } or
 * { ok: false, problem } (a sentence for people, without the field's label).
 */
export async function checkImage(file, rules) {
  if (file.size === 0) return { ok: false, problem: 'this file is empty. Pick another one.' };
  if (file.size > rules.maxFileBytes)
    return {
      ok: false,
      problem: `this file is ${megabytes(file.size)}; this server takes at most ${megabytes(rules.maxFileBytes)}. Pick a smaller image, or shrink this one first.`,
    };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const view = new DataView(bytes.buffer);
  const type = IMAGE_TYPES.find((t) => t.matches(bytes));
  if (!type) {
    const looksLike = LOOKALIKES.find((l) => l.test(bytes.subarray(0, 64)))?.words ?? 'not an image this page knows';
    return { ok: false, problem: `this file is ${looksLike}. Pick a PNG, JPEG, GIF or WebP image (videos are not supported).` };
  }
  const size = type.size(bytes, view);
  if (!size) return { ok: false, problem: `this ${type.name} image looks damaged: its size cannot be read. Pick another one.` };
  const pixels = size.width * size.height;
  if (pixels > rules.maxPixels)
    return {
      ok: false,
      problem: `this image is ${size.width}×${size.height} pixels (${megapixels(pixels)}); the most is ${megapixels(rules.maxPixels)}. Shrink it and pick it again.`,
    };
  const frames = type.name === 'GIF' ? gifFrames(bytes) : 1;
  if (type.name === 'GIF' && rules.gif) {
    if (file.size > rules.gif.maxBytes)
      return { ok: false, problem: `this GIF is ${megabytes(file.size)}; the bot takes GIFs of at most ${megabytes(rules.gif.maxBytes)}.` };
    if (frames > rules.gif.maxFrames)
      return {
        ok: false,
        problem: `this GIF has ${frames} frames; the bot takes at most ${rules.gif.maxFrames} on this account's plan. Shorten it and pick it again.`,
      };
  }
  return { ok: true, image: { type: type.name, ...size, frames } };
}
