/**
 * A real S3-compatible server (s3rver, an npm devDependency) as its own child process on a free
 * port, with one bucket, for the S3 blob store tests. Path-style, credentials S3RVER/S3RVER.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';

export interface S3Server {
  endpoint: string;
  bucket: string;
  /** S3 client settings that reach this server (what AWS_ENDPOINT_URL_S3 and friends give in production). */
  clientConfig: S3ClientConfig;
  /** SIGKILLs the server (the data directory stays until close). */
  stop(): Promise<void>;
  /** Stops the server if running and deletes its data directory. */
  close(): Promise<void>;
}

const s3rverBin = join(dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin', 's3rver.js');

export async function startS3Server(bucket = 'picsi-test'): Promise<S3Server> {
  const dir = await mkdtemp(join(tmpdir(), 'picsi-s3rver-'));
  const child = spawn(
    process.execPath,
    [s3rverBin, '-d', dir, '-a', '127.0.0.1', '-p', '0', '--silent', '--no-vhost-buckets', '--configure-bucket', bucket],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let port: number;
  try {
    port = await listeningPort(child);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(endpoint);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    endpoint,
    bucket,
    clientConfig: {
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      forcePathStyle: true,
    },
    stop,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** s3rver prints `S3rver listening on ADDRESS:PORT` once its buckets exist and it listens. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /S3rver listening on [\d.]+:(\d+)/.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        resolve(Number(match[1]));
      }
    };
    const onExit = (code: number | null) => reject(new Error(`s3rver exited (${code}) before listening: ${output}`));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onExit);
  });
}

async function waitUntilAnswering(endpoint: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await (await fetch(endpoint)).arrayBuffer();
      return;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
