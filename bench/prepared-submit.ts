/**
 * A load generator's submit: the picsi multipart body built once per (files, input), sent with
 * undici's `request` on a keep-alive pool. The server sees the same request as from
 * common.ts `submit` (operations, map, two files); the client spends a fraction of the CPU that
 * fetch + FormData cost per request, which on a 2-core machine comes out of the servers' share.
 */
import { Agent, request } from 'undici';
import { PICSI_MUTATION } from '../test/helpers/graphql-http.js';
import type { PicsiFiles } from './common.js';

const BOUNDARY = '----picsi-bench-2f9c41d7e0';
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
const bodies = new WeakMap<PicsiFiles, Map<string, Buffer>>();

function part(name: string, value: Buffer | string, file?: { filename: string; type: string }): Buffer {
  const disposition = `form-data; name="${name}"${file ? `; filename="${file.filename}"` : ''}`;
  const head = `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${file ? `Content-Type: ${file.type}\r\n` : ''}\r\n`;
  return Buffer.concat([Buffer.from(head), Buffer.from(value), Buffer.from('\r\n')]);
}

function picsiBody(files: PicsiFiles, input: Record<string, unknown>): Buffer {
  const operations = JSON.stringify({ query: PICSI_MUTATION, variables: { input: { sourceImage: null, targetImage: null, ...input } } });
  const cache = bodies.get(files) ?? new Map<string, Buffer>();
  bodies.set(files, cache);
  const cached = cache.get(operations);
  if (cached) return cached;
  const body = Buffer.concat([
    part('operations', operations),
    part('map', JSON.stringify({ 0: ['variables.input.sourceImage'], 1: ['variables.input.targetImage'] })),
    part('0', files.source, { filename: 'source.png', type: 'image/png' }),
    part('1', files.target, { filename: 'target.png', type: 'image/png' }),
    Buffer.from(`--${BOUNDARY}--\r\n`),
  ]);
  cache.set(operations, body);
  return body;
}

export async function submitPrepared(
  url: string,
  files: PicsiFiles,
  input: Record<string, unknown> = {},
): Promise<{ id: string; status: string }> {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'x-graphql-yoga-csrf': '1' },
    body: picsiBody(files, input),
  });
  const body = (await res.body.json()) as { data?: { picsi?: { id: string; status: string } }; errors?: unknown };
  if (!body.data?.picsi) throw new Error(`picsi failed (${res.statusCode}): ${JSON.stringify(body.errors)}`);
  return body.data.picsi;
}
