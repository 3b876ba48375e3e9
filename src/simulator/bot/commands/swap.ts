import type { APIAttachment } from 'discord-api-types/v10';
import { GIF_ERRORS, GIF_MAX_BYTES, GIF_RULES } from '../insightfaceswap.js';
import { inspectImage, swapFaces } from '../face-swap.js';
import type { SwapResult } from '../face-swap.js';
import { botError, refuse } from './types.js';
import type { BotJob, Final, HandlerDeps, UploadedFile } from './types.js';

/**
 * Swaps `faces` onto the target as the bot does for /picsi and /swapid: a GIF target is checked
 * against the plan's limits and costs the plan's GIF price, a still one costs `stillCost`. Credits
 * are charged on success only; a concurrent job may have used the last ones meanwhile.
 */
export async function swapOntoTarget(
  job: BotJob,
  deps: HandlerDeps,
  faces: readonly Buffer[],
  target: UploadedFile,
  stillCost: number,
  content: string,
): Promise<Final> {
  const info = await inspectImage(target.bytes);
  const animated = info?.format === 'gif' && info.frames > 1;
  const rules = GIF_RULES[job.user.plan];
  if (info?.format === 'gif' && target.bytes.length > GIF_MAX_BYTES) return refuse(GIF_ERRORS.GIF_TOO_LARGE(target.bytes.length));
  if (animated && info.frames > rules.maxFrames) return refuse(GIF_ERRORS.GIF_TOO_MANY_FRAMES(info.frames, rules.maxFrames));
  const cost = animated ? rules.credits : stillCost;
  const credits = deps.accounts.credits(job.user.token);
  if (credits.total - credits.used < cost) return botError('CREDITS_EXHAUSTED');
  const swapped = await swapFaces(faces, target.bytes, info);
  if (!swapped) return botError('NO_FACE');
  if (!deps.accounts.trySpend(job.user.token, cost)) return botError('CREDITS_EXHAUSTED');
  return { kind: 'result', content, attachments: [publish(job, deps, swapped, resultFilename(target.filename, swapped))] };
}

/** Puts bytes on the simulated CDN and describes them as a message attachment. */
export function publish(
  job: BotJob,
  deps: HandlerDeps,
  image: Pick<SwapResult, 'bytes' | 'contentType' | 'width' | 'height'>,
  filename: string,
): APIAttachment {
  const id = deps.newId();
  const { url, proxyUrl } = deps.cdn.put(job.channel.channelId, id, filename, { bytes: image.bytes, contentType: image.contentType });
  return {
    id,
    filename,
    size: image.bytes.length,
    url,
    proxy_url: proxyUrl,
    width: image.width,
    height: image.height,
    content_type: image.contentType,
  };
}

/** `photo.jpg` → `photo_swapped.png` (or `.gif`), restricted to characters safe in a CDN path. */
export function resultFilename(target: string, result: Pick<SwapResult, 'contentType'>): string {
  const stem =
    target
      .replace(/\.[^.]*$/, '')
      .replace(/[^A-Za-z0-9_-]+/g, '_')
      .slice(0, 64) || 'result';
  return `${stem}_swapped.${result.contentType === 'image/gif' ? 'gif' : 'png'}`;
}
