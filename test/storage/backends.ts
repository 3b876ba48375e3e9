/**
 * The backends the blob store contract runs against, each with what the contract needs to look
 * behind the interface: what is left in storage, a clock links are made with, and a way to take the
 * store down.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import pino from 'pino';
import { createFilesRoute } from '../../src/http/files-route.js';
import type { BlobStore } from '../../src/storage/blob-store.js';
import { FsBlobStore } from '../../src/storage/fs-store.js';
import { S3BlobStore } from '../../src/storage/s3-store.js';
import { createLinkSigner } from '../../src/storage/signed-links.js';
import { makeReadOnly } from '../helpers/read-only-dir.js';
import { startS3Server } from '../helpers/s3-server.js';

export interface TestClock {
  now: () => number;
  /** Links made from now on are made as if at this offset from the real time. */
  shift(ms: number): void;
}

export interface BackendHarness {
  store: BlobStore;
  /** The origin passed as DownloadUrlOptions.baseUrl. */
  baseUrl: string;
  clock: TestClock;
  /** Every object or file left in storage, including temp files and unfinished uploads. */
  leftovers(): Promise<string[]>;
  /** Takes the store down for good (stopped server, unwritable directory). */
  takeDown(): Promise<void>;
  close(): Promise<void>;
}

export interface Backend {
  name: string;
  open(): Promise<BackendHarness>;
}

export function testClock(): TestClock {
  let offset = 0;
  return { now: () => Date.now() + offset, shift: (ms) => (offset = ms) };
}

export const fsBackend: Backend = {
  name: 'filesystem',
  async open() {
    const root = await mkdtemp(join(tmpdir(), 'picsi-blobs-'));
    const clock = testClock();
    const store = await FsBlobStore.open({ root, signer: createLinkSigner('s'.repeat(32), clock.now) });
    const server = await listen(createServer(createFilesRoute({ store, signer: store.signer, logger: pino({ level: 'silent' }) })));
    let undoReadOnly: (() => Promise<void>) | undefined;
    return {
      store,
      clock,
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      leftovers: async () =>
        (await readdir(root, { recursive: true, withFileTypes: true }))
          .filter((e) => !e.isDirectory())
          .map((e) => join(e.parentPath, e.name)),
      async takeDown() {
        undoReadOnly = await makeReadOnly(root);
      },
      async close() {
        await new Promise((resolve) => server.close(resolve));
        await undoReadOnly?.();
        await rm(root, { recursive: true, force: true });
      },
    };
  },
};

/** A real s3rver process per harness; keys under a prefix, so the prefix handling is exercised too. */
export const s3Backend: Backend = {
  name: 's3',
  async open() {
    const server = await startS3Server();
    const clock = testClock();
    const prefix = 'picsi/blobs/';
    const store = await S3BlobStore.create({
      bucket: server.bucket,
      prefix,
      forcePathStyle: true,
      clientConfig: { ...server.clientConfig, maxAttempts: 2 },
      now: clock.now,
    });
    const inspector = new S3Client(server.clientConfig);
    return {
      store,
      clock,
      baseUrl: 'http://unused.invalid',
      async leftovers() {
        const listed = await inspector.send(new ListObjectsV2Command({ Bucket: server.bucket }));
        return (listed.Contents ?? []).map((o) => o.Key ?? '');
      },
      takeDown: () => server.stop(),
      async close() {
        await store.close();
        inspector.destroy();
        await server.close();
      },
    };
  },
};

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
