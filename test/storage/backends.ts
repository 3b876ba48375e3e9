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
import pino from 'pino';
import { createFilesRoute } from '../../src/http/files-route.js';
import type { BlobStore } from '../../src/storage/blob-store.js';
import { FsBlobStore } from '../../src/storage/fs-store.js';
import { createLinkSigner } from '../../src/storage/signed-links.js';
import { makeReadOnly } from '../helpers/read-only-dir.js';

export interface TestClock {
  now(): number;
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
      leftovers: async () => (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name)),
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

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
