import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLinkSigner, resolveSigningSecret } from '../../src/storage/signed-links.js';

const SECRET = 'k'.repeat(32);
const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);

function signerAt(time: { now: number }, secret = SECRET) {
  return createLinkSigner(secret, () => time.now);
}

describe('link signer', () => {
  it('accepts its own link until the expiry second, then reports it expired', () => {
    const time = { now: T0 };
    const signer = signerAt(time);
    const query = new URLSearchParams(signer.sign('jobs/a/result-0.png', 60, 'result.png'));
    expect(query.get('exp')).toBe(String(T0 / 1000 + 60));
    expect(signer.verify('jobs/a/result-0.png', query)).toEqual({ ok: true, name: 'result.png' });
    time.now = T0 + 59_999;
    expect(signer.verify('jobs/a/result-0.png', query).ok).toBe(true);
    time.now = T0 + 60_000;
    expect(signer.verify('jobs/a/result-0.png', query)).toEqual({ ok: false, reason: 'expired' });
  });

  it('a link without a file name verifies with no name', () => {
    const signer = signerAt({ now: T0 });
    expect(signer.verify('k', new URLSearchParams(signer.sign('k', 10)))).toEqual({ ok: true, name: undefined });
  });

  it.each([
    ['another key', (q: URLSearchParams) => q, 'other/key'],
    ['a later expiry', (q: URLSearchParams) => (q.set('exp', String(Number(q.get('exp')) + 3600)), q), 'k'],
    ['another file name', (q: URLSearchParams) => (q.set('name', 'evil.html'), q), 'k'],
    ['a dropped file name', (q: URLSearchParams) => (q.delete('name'), q), 'k'],
    ['a flipped signature byte', (q: URLSearchParams) => (q.set('sig', flipFirst(q.get('sig')!)), q), 'k'],
    ['a truncated signature', (q: URLSearchParams) => (q.set('sig', q.get('sig')!.slice(0, 10)), q), 'k'],
    ['no signature', (q: URLSearchParams) => (q.delete('sig'), q), 'k'],
    ['a non-numeric expiry', (q: URLSearchParams) => (q.set('exp', '1e99'), q), 'k'],
  ])('refuses %s', (_what, tamper, key) => {
    const signer = signerAt({ now: T0 });
    const query = tamper(new URLSearchParams(signer.sign('k', 60, 'a.png')));
    expect(signer.verify(key, query)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a link signed with another secret', () => {
    const query = new URLSearchParams(signerAt({ now: T0 }, 'x'.repeat(32)).sign('k', 60));
    expect(signerAt({ now: T0 }).verify('k', query)).toEqual({ ok: false, reason: 'bad-signature' });
  });
});

function flipFirst(sig: string): string {
  const bytes = Buffer.from(sig, 'base64url');
  bytes[0] = bytes[0]! ^ 1;
  return bytes.toString('base64url');
}

describe('the signing secret', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is the configured one when set, and nothing is written', async () => {
    dir = await mkdtemp(join(tmpdir(), 'picsi-secret-'));
    expect(await resolveSigningSecret('c'.repeat(32), dir)).toBe('c'.repeat(32));
    await expect(stat(join(dir, 'files-secret'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('otherwise is generated once into DATA_DIR/files-secret (0600) and reused after a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'picsi-secret-'));
    const first = await resolveSigningSecret(null, join(dir, 'data'));
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = join(dir, 'data', 'files-secret');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(first);
    expect(await resolveSigningSecret(null, join(dir, 'data'))).toBe(first);
  });

  it('instances starting at once on one data directory agree on one secret and leave no temp files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'picsi-secret-'));
    const secrets = await Promise.all(Array.from({ length: 10 }, () => resolveSigningSecret(null, dir!)));
    expect(new Set(secrets).size).toBe(1);
    expect(await readdir(dir)).toEqual(['files-secret']);
  });

  it('keeps an existing secret file as it is', async () => {
    dir = await mkdtemp(join(tmpdir(), 'picsi-secret-'));
    await writeFile(join(dir, 'files-secret'), 'operator-provided-secret-value-0123456789\n');
    expect(await resolveSigningSecret(null, dir)).toBe('operator-provided-secret-value-0123456789');
  });
});
