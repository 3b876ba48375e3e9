import sharp from 'sharp';
import type { OverlayOptions } from 'sharp';

export interface SwapResult {
  bytes: Buffer;
  contentType: 'image/png' | 'image/gif';
  width: number;
  height: number;
  /** 1 for a still result; the GIF's frame count otherwise. */
  frames: number;
}

export interface ImageInfo {
  format: string;
  width: number;
  /** Height of one frame. */
  height: number;
  frames: number;
}

const ACCEPTED_FORMATS = new Set(['png', 'jpeg', 'webp', 'gif']);

/** Format, frame size and frame count of a png/jpeg/webp/gif image; undefined for anything else. */
export async function inspectImage(bytes: Buffer): Promise<ImageInfo | undefined> {
  try {
    const meta = await sharp(bytes, { animated: true }).metadata();
    if (!ACCEPTED_FORMATS.has(meta.format)) return undefined;
    return { format: meta.format, width: meta.width, height: meta.pageHeight ?? meta.height, frames: meta.pages ?? 1 };
  } catch {
    return undefined;
  }
}

/**
 * The "face" of an image: a square from its centre, cropped by sharp's attention strategy (which
 * favours faces and skin tones). Undefined when the bytes are not an accepted image, which the bot
 * reports as "no face".
 */
export async function cropFace(image: Buffer, side: number): Promise<Buffer | undefined> {
  if (!(await inspectImage(image))) return undefined;
  try {
    return await sharp(image, { failOn: 'error' })
      .resize(side, side, { fit: 'cover', position: sharp.strategy.attention })
      .png()
      .toBuffer();
  } catch {
    return undefined;
  }
}

/**
 * A stand-in face swap that yields a real image: each source's face is pasted side by side onto
 * the upper middle of the target, on every frame. A still target (one frame) gives a PNG the size
 * of the target; an animated GIF gives a GIF with the same frames, delays and loop count.
 * Undefined when an input is not a png/jpeg/webp/gif image ("no face").
 */
export async function swapFaces(sources: readonly Buffer[], target: Buffer, targetInfo?: ImageInfo): Promise<SwapResult | undefined> {
  // The caller may have inspected the target already (reading sharp's metadata again costs as much).
  const info = targetInfo ?? (await inspectImage(target));
  if (!info || sources.length === 0) return undefined;
  const { width, height } = info;
  const slot = width / sources.length;
  const side = Math.max(1, Math.round(Math.min(slot, height) * 0.4));
  const faces = await Promise.all(sources.map((s) => cropFace(s, side)));
  if (faces.some((f) => f === undefined)) return undefined;
  const top = Math.min(Math.round(height * 0.15), height - side);
  const placed = faces.map((face, i) => ({ face: face as Buffer, left: Math.floor(slot * i + (slot - side) / 2), top }));
  try {
    if (info.format === 'gif' && info.frames > 1) return await swapAnimated(target, info, placed);
    const { data, info: out } = await sharp(target, { failOn: 'error' })
      .composite(placed.map((p) => ({ input: p.face, left: p.left, top: p.top })))
      // Stored, not deflated: the real bot's PNGs are the size of the picture (a 1.6 MB target gave a
      // 7.2 MB result in the hosted API's sample), so transfers cost what they cost in the field.
      .png({ compressionLevel: 0 })
      .toBuffer({ resolveWithObject: true });
    return { bytes: data, contentType: 'image/png', width: out.width, height: out.height, frames: 1 };
  } catch {
    return undefined;
  }
}

/** sharp holds an animated image as a strip of frames: one overlay per face per frame, then GIF again. */
async function swapAnimated(target: Buffer, info: ImageInfo, placed: { face: Buffer; left: number; top: number }[]): Promise<SwapResult> {
  const meta = await sharp(target, { animated: true }).metadata();
  const overlays: OverlayOptions[] = [];
  for (let frame = 0; frame < info.frames; frame += 1) {
    for (const p of placed) overlays.push({ input: p.face, left: p.left, top: frame * info.height + p.top });
  }
  const bytes = await sharp(target, { animated: true, failOn: 'error' })
    .composite(overlays)
    .gif({ ...(meta.delay ? { delay: meta.delay } : {}), loop: meta.loop ?? 0 })
    .toBuffer();
  return { bytes, contentType: 'image/gif', width: info.width, height: info.height, frames: info.frames };
}
