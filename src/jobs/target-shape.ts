/**
 * What a target image is, as the GIF rules need it (src/jobs/command-costs.ts): its format, its frame
 * count and its size. The upload counted a GIF's frames from its structure (src/jobs/image-walkers.ts);
 * a file staged without that count is read again and counted by sharp. Any other image is one frame,
 * known from the upload's detected type.
 */
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import type { TargetShape } from './command-costs.js';

export async function measureTarget(
  file: { contentType: string; size: number; frames?: number },
  open: () => Promise<Readable>,
  maxGifBytes: number,
): Promise<TargetShape> {
  const format = file.contentType.replace(/^image\//, '');
  // An oversize GIF is refused on its size alone: no need to read it.
  if (format !== 'gif' || file.size > maxGifBytes) return { format, frames: 1, bytes: file.size };
  if (file.frames !== undefined) return { format, frames: file.frames, bytes: file.size };
  const chunks: Buffer[] = [];
  for await (const chunk of await open()) chunks.push(chunk as Buffer);
  const meta = await sharp(Buffer.concat(chunks), { animated: true, limitInputPixels: false }).metadata();
  return { format, frames: meta.pages ?? 1, bytes: file.size };
}
