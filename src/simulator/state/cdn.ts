import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface CdnFile {
  bytes: Buffer;
  contentType: string;
}

export type CdnLookup = { ok: true; file: CdnFile } | { ok: false; reason: 'unknown' | 'expired' | 'forged' };

/** Prefix of media-proxy URLs (`proxy_url`); they serve the same files as `/attachments/...`. */
export const MEDIA_PREFIX = '/media';

/**
 * Result files, served like Discord's CDN: `/attachments/{channel}/{id}/{filename}` signed with
 * `ex` (expiry) and `is` (issued), both hex unix seconds, and `hm`, an HMAC of path and both.
 */
export class CdnStore {
  private readonly files = new Map<string, CdnFile>();
  private readonly key = randomBytes(32);

  constructor(
    private readonly origin: () => string,
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  /** Stores a file; returns its signed url and proxy_url. */
  put(channelId: string, attachmentId: string, filename: string, file: CdnFile): { url: string; proxyUrl: string } {
    const path = `/attachments/${channelId}/${attachmentId}/${encodeURIComponent(filename)}`;
    this.files.set(path, file);
    const query = this.sign(path);
    return { url: `${this.origin()}${path}?${query}`, proxyUrl: `${this.origin()}${MEDIA_PREFIX}${path}?${query}` };
  }

  /** Looks a file up by request path (with or without the media prefix) and query. */
  get(path: string, query: URLSearchParams): CdnLookup {
    const canonical = path.startsWith(MEDIA_PREFIX) ? path.slice(MEDIA_PREFIX.length) : path;
    const file = this.files.get(canonical);
    if (!file) return { ok: false, reason: 'unknown' };
    const ex = query.get('ex') ?? '';
    const is = query.get('is') ?? '';
    const expected = Buffer.from(this.hmac(canonical, ex, is), 'hex');
    const given = Buffer.from(query.get('hm') ?? '', 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
    if (Number.parseInt(ex, 16) * 1000 <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, file };
  }

  /** A freshly signed URL for a known file (expired or not), else undefined. */
  refresh(url: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    const media = parsed.pathname.startsWith(MEDIA_PREFIX);
    const path = media ? parsed.pathname.slice(MEDIA_PREFIX.length) : parsed.pathname;
    if (!this.files.has(path)) return undefined;
    return `${this.origin()}${media ? MEDIA_PREFIX : ''}${path}?${this.sign(path)}`;
  }

  private sign(path: string): string {
    const nowSeconds = Math.floor(this.now() / 1000);
    const ex = (nowSeconds + Math.ceil(this.ttlMs / 1000)).toString(16);
    const is = nowSeconds.toString(16);
    // Discord's signed URLs end with a trailing '&'; clients must not choke on it.
    return new URLSearchParams({ ex, is, hm: this.hmac(path, ex, is) }).toString() + '&';
  }

  private hmac(path: string, ex: string, is: string): string {
    return createHmac('sha256', this.key).update(`${path}|${ex}|${is}`).digest('hex');
  }
}
