/**
 * Discord's CDN URLs of results are signed and expire (`ex`: hex unix seconds). Results are served
 * from our own copy (results.ts); for a result whose copy failed, Discord's URLs are all there is,
 * so they are refreshed when the job is read after they lapsed.
 */
import type { Job, JobAttachment } from '../../jobs/model.js';

/** URLs handed out stay valid at least this long. */
export const URL_REFRESH_MARGIN_MS = 60_000;

/** When a signed CDN URL expires (epoch ms), or null for a URL that carries no expiry. */
export function urlExpiresAt(url: string): number | null {
  let ex: string | null;
  try {
    ex = new URL(url).searchParams.get('ex');
  } catch {
    return null;
  }
  if (!ex || !/^[0-9a-f]+$/i.test(ex)) return null;
  return Number.parseInt(ex, 16) * 1000;
}

const urlsOf = (a: JobAttachment) => [a.url, ...(a.proxyUrl ? [a.proxyUrl] : [])];

/** The URLs of a completed job without a stored copy that expire within the margin (empty: nothing to refresh). */
export function expiringUrls(job: Job, nowMs: number): string[] {
  if (job.status !== 'COMPLETED') return [];
  return job.attachments
    .filter((a) => a.copy?.state !== 'STORED')
    .flatMap(urlsOf)
    .filter((url) => {
      const expiresAt = urlExpiresAt(url);
      return expiresAt !== null && expiresAt - nowMs < URL_REFRESH_MARGIN_MS;
    });
}

export function withRefreshedUrls(attachments: JobAttachment[], fresh: Map<string, string>): JobAttachment[] {
  return attachments.map((a) => ({
    ...a,
    url: fresh.get(a.url) ?? a.url,
    proxyUrl: a.proxyUrl ? (fresh.get(a.proxyUrl) ?? a.proxyUrl) : null,
  }));
}
