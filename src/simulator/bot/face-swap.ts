import sharp from 'sharp';

export interface SwapResult {
  png: Buffer;
  width: number;
  height: number;
}

const ACCEPTED_FORMATS = new Set(['png', 'jpeg', 'webp', 'gif']);

/**
 * A stand-in face swap that yields a real image: the centre of the source (cropped by sharp's
 * attention strategy, which favours faces and skin tones) is pasted onto the upper middle of the
 * target's first frame. The result is a PNG the size of the target. Returns undefined when either
 * input is not a png/jpeg/webp/gif image, which the bot reports as "no face".
 */
export async function swapFace(source: Buffer, target: Buffer): Promise<SwapResult | undefined> {
  try {
    const [sourceMeta, targetMeta] = await Promise.all([sharp(source).metadata(), sharp(target).metadata()]);
    if (!ACCEPTED_FORMATS.has(sourceMeta.format) || !ACCEPTED_FORMATS.has(targetMeta.format)) return undefined;
    const width = targetMeta.width;
    const height = targetMeta.pageHeight ?? targetMeta.height;
    const side = Math.max(1, Math.round(Math.min(width, height) * 0.4));
    const face = await sharp(source, { failOn: 'error' })
      .resize(side, side, { fit: 'cover', position: sharp.strategy.attention })
      .png()
      .toBuffer();
    const left = Math.floor((width - side) / 2);
    const top = Math.min(Math.round(height * 0.15), height - side);
    const { data, info } = await sharp(target, { failOn: 'error' })
      .composite([{ input: face, left, top }])
      .png()
      .toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height };
  } catch {
    return undefined;
  }
}
