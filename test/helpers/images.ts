import sharp from 'sharp';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

/** A solid-colour image with a contrasting square, encoded in `format`. */
export async function makeImage(width: number, height: number, format: ImageFormat = 'png', colour = '#3366cc'): Promise<Buffer> {
  const side = Math.max(1, Math.floor(Math.min(width, height) / 3));
  const square = await sharp({ create: { width: side, height: side, channels: 3, background: '#f0c8a0' } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .composite([{ input: square, left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2) }])
    .toFormat(format)
    .toBuffer();
}

/** A real PNG of the given dimensions; `noise` makes it incompressible so its size grows with the area. */
export async function makePng(width = 64, height = 64, options: { noise?: boolean; color?: string } = {}): Promise<Buffer> {
  if (options.noise) {
    const raw = Buffer.alloc(width * height * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
    return sharp(raw, { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
  }
  return makeImage(width, height, 'png', options.color ?? '#c08060');
}

/** A PNG of roughly `bytes` bytes (uncompressed noise). */
export async function makePngOfSize(bytes: number): Promise<Buffer> {
  const side = Math.max(8, Math.ceil(Math.sqrt(bytes / 3)));
  return makePng(side, side, { noise: true });
}

/** An animated GIF of `frames` solid frames in changing colours, each shown `delayMs`. */
export async function makeGif(width: number, height: number, frames: number, delayMs = 100): Promise<Buffer> {
  const pages = await Promise.all(
    Array.from({ length: frames }, (_, i) =>
      sharp({ create: { width, height, channels: 3, background: { r: (i * 40) % 256, g: 90, b: 255 - ((i * 40) % 256) } } })
        .png()
        .toBuffer(),
    ),
  );
  return sharp(frames === 1 ? pages[0] : pages, frames === 1 ? {} : { join: { animated: true } })
    .gif({ delay: Array.from({ length: frames }, () => delayMs), loop: 0 })
    .toBuffer();
}
