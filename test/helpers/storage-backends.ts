/** The blob store backends an end-to-end test runs on, as the environment a server gets for each. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface StorageBackend {
  name: string;
  start(): Promise<{ env: Record<string, string>; stop(): Promise<void> }>;
}

export function storageBackends(): StorageBackend[] {
  return [
    {
      name: 'filesystem',
      async start() {
        const root = mkdtempSync(join(tmpdir(), 'picsi-e2e-blobs-'));
        return { env: { STORAGE_URL: pathToFileURL(root).href }, stop: async () => rmSync(root, { recursive: true, force: true }) };
      },
    },
  ];
}
