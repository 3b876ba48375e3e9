/**
 * Download links served by this server (`GET /files/<key>?exp=…&name=…&sig=…`) for blob stores
 * without links of their own (the filesystem backend). The signature is an HMAC-SHA256 over the
 * key, the expiry (unix seconds) and the suggested file name, so none of them can be changed.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type LinkCheck = { ok: true; name: string | undefined } | { ok: false; reason: 'bad-signature' | 'expired' };

export interface LinkSigner {
  /** The query string (without `?`) that makes `key` downloadable for `expiresInSec`. */
  sign(key: string, expiresInSec: number, filename?: string): string;
  /** Checks the query string of a request for `key`. */
  verify(key: string, query: URLSearchParams): LinkCheck;
}

export function createLinkSigner(secret: string, now: () => number = Date.now): LinkSigner {
  const mac = (key: string, exp: string, name: string) => createHmac('sha256', secret).update(`${key}\n${exp}\n${name}`).digest();

  return {
    sign(key, expiresInSec, filename) {
      const exp = String(Math.floor(now() / 1000) + Math.max(1, Math.ceil(expiresInSec)));
      const params = new URLSearchParams({ exp });
      if (filename) params.set('name', filename);
      params.set('sig', mac(key, exp, filename ?? '').toString('base64url'));
      return params.toString();
    },
    verify(key, query) {
      const exp = query.get('exp') ?? '';
      const name = query.get('name') ?? '';
      const given = Buffer.from(query.get('sig') ?? '', 'base64url');
      const expected = mac(key, exp, name);
      if (!/^\d{1,12}$/.test(exp) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return { ok: false, reason: 'bad-signature' };
      }
      if (Number(exp) * 1000 <= now()) return { ok: false, reason: 'expired' };
      return { ok: true, name: name || undefined };
    },
  };
}

/**
 * FILES_SIGNING_SECRET when set; otherwise a random secret made once and kept in
 * `<dataDir>/files-secret` (mode 0600), so links survive restarts and instances sharing the data
 * directory accept each other's links. Several instances starting at once agree on one secret:
 * each writes its own candidate and hard-links it into place, and the first link wins.
 */
export async function resolveSigningSecret(configured: string | null, dataDir: string): Promise<string> {
  if (configured) return configured;
  const path = join(dataDir, 'files-secret');
  const existing = await readSecret(path);
  if (existing) return existing;

  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const candidate = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(candidate, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  try {
    await link(candidate, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(candidate, { force: true });
  }
  const secret = await readSecret(path);
  if (!secret) throw new Error(`${path} is empty`);
  return secret;
}

async function readSecret(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim() || null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
