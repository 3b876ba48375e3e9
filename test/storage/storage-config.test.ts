/** STORAGE_URL, DATA_DIR, S3_FORCE_PATH_STYLE and FILES_SIGNING_SECRET: parsed in src/config/storage.ts, used by createBlobStore. */
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createBlobStore } from '../../src/storage/index.js';
import { parseStorageUrl } from '../../src/config/storage-url.js';

describe('parseStorageUrl', () => {
  it.each([
    ['file:///var/lib/picsi/blobs', { kind: 'file', root: '/var/lib/picsi/blobs' }],
    ['file:///var/lib/picsi/blobs/', { kind: 'file', root: '/var/lib/picsi/blobs' }],
    ['file:///srv/with%20space', { kind: 'file', root: '/srv/with space' }],
    ['s3://picsi-results', { kind: 's3', bucket: 'picsi-results', prefix: '' }],
    ['s3://picsi-results/', { kind: 's3', bucket: 'picsi-results', prefix: '' }],
    ['s3://picsi-results/prod/blobs', { kind: 's3', bucket: 'picsi-results', prefix: 'prod/blobs/' }],
    ['s3://my.bucket-1/p/', { kind: 's3', bucket: 'my.bucket-1', prefix: 'p/' }],
  ])('%s', (value, expected) => {
    expect(parseStorageUrl(value)).toEqual(expected);
  });

  it.each([
    'file:///',
    'file://host/path',
    './relative',
    '/abs/path',
    'http://x/y',
    's3://',
    's3://UPPER',
    's3://ab',
    's3://user@bucket/x',
    's3://bucket:9000/x',
    'file:///a?x=1',
  ])('refuses %s', (value) => {
    expect(parseStorageUrl(value)).toBeNull();
  });
});

describe('storage configuration', () => {
  it('defaults: DATA_DIR ./data against the working directory (reported as a default), no STORAGE_URL, virtual-hosted S3', () => {
    const { config, defaultsApplied } = loadConfig({});
    expect(config.dataDir).toBe(resolve('data'));
    expect(config.storage).toEqual({ url: null, s3ForcePathStyle: false, filesSigningSecret: null });
    expect(defaultsApplied).toEqual(expect.arrayContaining([{ name: 'DATA_DIR', value: './data' }]));
  });

  it('parses every storage variable', () => {
    const { config } = loadConfig({
      DATA_DIR: '/srv/picsi',
      STORAGE_URL: 's3://bucket/pre',
      S3_FORCE_PATH_STYLE: 'true',
      FILES_SIGNING_SECRET: 'z'.repeat(40),
    });
    expect(config.dataDir).toBe('/srv/picsi');
    expect(config.storage).toEqual({
      url: { kind: 's3', bucket: 'bucket', prefix: 'pre/' },
      s3ForcePathStyle: true,
      filesSigningSecret: 'z'.repeat(40),
    });
  });

  it('names each bad storage variable, without echoing the signing secret', () => {
    let error: unknown;
    try {
      loadConfig({ STORAGE_URL: 'ftp://x', S3_FORCE_PATH_STYLE: 'yes', FILES_SIGNING_SECRET: 'short-secret-value' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/STORAGE_URL: must be file:\/\/\/absolute\/path or s3:\/\/bucket\/prefix/);
    expect(problems).toMatch(/S3_FORCE_PATH_STYLE/);
    expect(problems).toMatch(/FILES_SIGNING_SECRET: must be at least 32 characters/);
    expect(problems).not.toContain('short-secret-value');
  });
});

describe('createBlobStore', () => {
  let dir: string | undefined;
  afterEach(async () => {
    vi.unstubAllEnvs();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('unset STORAGE_URL: the filesystem under DATA_DIR/blobs, reported with the embedded defaults, with the secret file beside it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'picsi-storage-'));
    const { config, defaultsApplied } = loadConfig({ DATA_DIR: dir });
    // One start-up line lists every embedded default (src/main.ts); the store itself adds none.
    expect(defaultsApplied).toContainEqual({ name: 'STORAGE_URL', value: `file://${join(dir, 'blobs')}` });
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const store = await createBlobStore(config, logger);
    expect(store.kind).toBe('file');
    expect((await stat(join(dir, 'blobs'))).isDirectory()).toBe(true);
    expect((await stat(join(dir, 'files-secret'))).mode & 0o777).toBe(0o600);
    expect(lines).toEqual([]);
  });

  it('removes temp files that interrupted writes left, in the background at start', async () => {
    dir = await mkdtemp(join(tmpdir(), 'picsi-storage-'));
    const fanOut = join(dir, 'blobs', '0a', '1b');
    await mkdir(fanOut, { recursive: true });
    const stale = join(fanOut, '.tmp-crashed-put');
    await writeFile(stale, 'half a blob');
    const twoHoursAgo = (Date.now() - 2 * 3_600_000) / 1000;
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    await createBlobStore(loadConfig({ DATA_DIR: dir }).config, pino({ level: 'silent' }));
    await expect
      .poll(() =>
        stat(stale).then(
          () => 'present',
          () => 'removed',
        ),
      )
      .toBe('removed');
  });

  it('file:// URL: that directory, and still a secret in DATA_DIR', async () => {
    dir = await mkdtemp(join(tmpdir(), 'picsi-storage-'));
    const { config } = loadConfig({ DATA_DIR: join(dir, 'data'), STORAGE_URL: `file://${dir}/shared-blobs` });
    const store = await createBlobStore(config, pino({ level: 'silent' }));
    expect(store.kind).toBe('file');
    expect((await stat(join(dir, 'shared-blobs'))).isDirectory()).toBe(true);
    expect((await stat(join(dir, 'data', 'files-secret'))).isFile()).toBe(true);
  });

  it('s3:// URL: the S3 store, with the region from the SDK configuration', async () => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const { config } = loadConfig({ STORAGE_URL: 's3://bucket/prefix' });
    const store = await createBlobStore(config, pino({ level: 'silent' }));
    expect(store.kind).toBe('s3');
    await store.close();
  });

  it('s3:// URL without any region: refused at start, naming AWS_REGION', async () => {
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent');
    vi.stubEnv('AWS_PROFILE', 'picsi-none');
    const { config } = loadConfig({ STORAGE_URL: 's3://bucket/prefix' });
    await expect(createBlobStore(config, pino({ level: 'silent' }))).rejects.toThrow(/AWS_REGION/);
  });
});
