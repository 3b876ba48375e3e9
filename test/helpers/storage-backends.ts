/**
 * The blob store backends an end-to-end test runs on, as the environment a server gets for each:
 * a directory (`file://`), and a real s3rver process (`s3://`, the AWS SDK's standard variables).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startS3Server } from './s3-server.js';

export interface StorageBackend {
  name: string;
  /**
   * `env` is the server's configuration; `sdkEnv` the AWS SDK's own variables (read from
   * process.env by the SDK, so an in-process server needs them there: see `withSdkEnv`).
   */
  start(): Promise<{ env: Record<string, string>; sdkEnv: Record<string, string>; stop(): Promise<void> }>;
}

export function storageBackends(): StorageBackend[] {
  return [
    {
      name: 'filesystem',
      async start() {
        const root = mkdtempSync(join(tmpdir(), 'picsi-e2e-blobs-'));
        return {
          env: { STORAGE_URL: pathToFileURL(root).href },
          sdkEnv: {},
          stop: async () => rmSync(root, { recursive: true, force: true }),
        };
      },
    },
    {
      name: 'S3 (s3rver)',
      async start() {
        const s3 = await startS3Server();
        return {
          env: { STORAGE_URL: `s3://${s3.bucket}/e2e`, S3_FORCE_PATH_STYLE: 'true' },
          sdkEnv: {
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: 'S3RVER',
            AWS_SECRET_ACCESS_KEY: 'S3RVER',
            AWS_ENDPOINT_URL_S3: s3.endpoint,
          },
          stop: () => s3.close(),
        };
      },
    },
  ];
}

/** Sets the SDK's variables in this process until the returned function restores them. */
export function withSdkEnv(vars: Record<string, string>): () => void {
  const previous = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
