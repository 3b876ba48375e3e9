/**
 * REST test scaffolding: plain fetch calls to /v1, the hosted API's job Model as its docs list it,
 * and a field-by-field check of a REST answer against the same job read over GraphQL.
 */
import { expect } from 'vitest';
import { postJson } from '../helpers/graphql-http.js';

/** The hosted API's job Model, its fields in its order (its docs; README "Coming from the hosted API"). */
export const MODEL_FIELDS = [
  'jobid',
  'verb',
  'status',
  'options',
  'source_image',
  'target_image_gif_or_video',
  'created',
  'updated',
  'discord',
  'server',
  'channel',
  'replyUrl',
  'replyRef',
  'messageId',
  'content',
  'attachments',
  'timestamp',
  'error',
  'errorDetails',
  'code',
] as const;

export const ATTACHMENT_FIELDS = ['id', 'content_type', 'filename', 'url', 'proxy_url', 'size', 'width', 'height'] as const;

export interface HostedJob {
  jobid: string;
  verb: string;
  status: string;
  options: string | null;
  source_image: { size: number; type: string } | null;
  target_image_gif_or_video: { size: number; type: string } | null;
  created: string;
  updated: string;
  discord: string | null;
  server: string | null;
  channel: string | null;
  replyUrl: string | null;
  replyRef: string | null;
  messageId: string | null;
  content: string | null;
  attachments: {
    id: string;
    content_type: string | null;
    filename: string;
    url: string;
    proxy_url: string | null;
    size: number;
    width: number | null;
    height: number | null;
    download: { url: string; expiresAt: string } | null;
  }[];
  timestamp: string | null;
  error: string | null;
  errorDetails: string | null;
  code: number | null;
  errorCode: string | null;
  queuePosition: number | null;
  idname: string | null;
  identities: string[] | null;
}

export interface RestAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export class RestClient {
  constructor(
    readonly origin: string,
    private readonly token?: string,
  ) {}

  withToken(token: string | undefined): RestClient {
    return new RestClient(this.origin, token);
  }

  async call<T = HostedJob>(method: string, path: string, body?: FormData | Record<string, string>): Promise<RestAnswer<T>> {
    const json = body !== undefined && !(body instanceof FormData);
    const res = await fetch(new URL(path, this.origin), {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(json ? { 'content-type': 'application/json' } : {}),
      },
      ...(body === undefined ? {} : { body: json ? JSON.stringify(body) : body }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  get = <T = HostedJob>(path: string) => this.call<T>('GET', path);
  post = <T = HostedJob>(path: string, body?: FormData | Record<string, string>) => this.call<T>('POST', path, body);
  delete = <T = HostedJob>(path: string, body?: Record<string, string>) => this.call<T>('DELETE', path, body);
}

/** A multipart body of text fields and images (Blobs without a declared type unless one is given). */
export function form(
  fields: Record<string, string>,
  files: Record<string, { bytes: Buffer; type?: string; filename?: string }> = {},
): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  for (const [name, file] of Object.entries(files))
    data.append(name, new Blob([new Uint8Array(file.bytes)], file.type ? { type: file.type } : {}), file.filename ?? `${name}.bin`);
  return data;
}

const ISO_UTC_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The answer has the hosted Model's fields, in its order, each of its type (then only our extras). */
export function expectModel(job: HostedJob): void {
  expect(Object.keys(job).slice(0, MODEL_FIELDS.length)).toEqual(MODEL_FIELDS);
  expect(job.verb).toMatch(/^faceswap-(picsi|saveid|swapid|setid|listid|delid|delall)$/);
  expect(['created', 'started', 'completed', 'failed', 'cancelled']).toContain(job.status);
  expect(job.created).toMatch(ISO_UTC_MS);
  expect(job.updated).toMatch(ISO_UTC_MS);
  if (job.discord !== null) expect(job.discord).toMatch(/^.{3}….{3}$/);
  for (const image of [job.source_image, job.target_image_gif_or_video])
    if (image !== null) expect(Object.keys(image)).toEqual(['size', 'type']);
  for (const a of job.attachments) expect(Object.keys(a).slice(0, ATTACHMENT_FIELDS.length)).toEqual(ATTACHMENT_FIELDS);
  expect(job.code === null || Number.isInteger(job.code)).toBe(true);
}

interface GraphQLJob {
  id: string;
  verb: string;
  status: string;
  options: string | null;
  sourceImage: { size: number; type: string } | null;
  targetImage: { size: number; type: string } | null;
  created: string;
  updated: string;
  discord: string | null;
  server: string | null;
  channel: string | null;
  replyUrl: string | null;
  replyRef: string | null;
  messageId: string | null;
  content: string | null;
  attachments: {
    id: string;
    contentType: string | null;
    filename: string;
    url: string;
    proxyUrl: string | null;
    size: number;
    width: number | null;
    height: number | null;
  }[];
  timestamp: string | null;
  error: string | null;
  errorDetails: string | null;
  code: string | null;
}

export const GRAPHQL_JOB_FIELDS = `id verb status options sourceImage { size type } targetImage { size type } created updated discord
  server channel replyUrl replyRef messageId content attachments { id contentType filename url proxyUrl size width height }
  timestamp error errorDetails code`;

export async function graphqlJob(graphqlUrl: string, token: string, id: string): Promise<GraphQLJob> {
  const res = await postJson<{ job: GraphQLJob }>(graphqlUrl, `query ($id: ID!) { job(id: $id) { ${GRAPHQL_JOB_FIELDS} } }`, { id }, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.job;
}

const HOSTED_STATUS: Record<string, string> = {
  QUEUED: 'created',
  STARTED: 'started',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
};

/**
 * Field by field, the REST answer is the job GraphQL shows (URLs aside: a job read again may carry
 * freshly signed Discord URLs, so only their path is compared).
 */
export function expectSameJob(rest: HostedJob, gql: GraphQLJob): void {
  expectModel(rest);
  const path = (url: string | null) => (url === null ? null : new URL(url).pathname);
  expect({
    jobid: rest.jobid,
    verb: rest.verb,
    status: rest.status,
    options: rest.options,
    source_image: rest.source_image,
    target_image_gif_or_video: rest.target_image_gif_or_video,
    created: rest.created,
    updated: rest.updated,
    discord: rest.discord,
    server: rest.server,
    channel: rest.channel,
    replyUrl: rest.replyUrl,
    replyRef: rest.replyRef,
    messageId: rest.messageId,
    content: rest.content,
    attachments: rest.attachments.map((a) => ({ ...a, url: path(a.url), proxy_url: path(a.proxy_url), download: undefined })),
    timestamp: rest.timestamp,
    error: rest.error,
    errorDetails: rest.errorDetails,
    errorCode: rest.errorCode,
  }).toEqual({
    jobid: gql.id,
    verb: gql.verb,
    status: HOSTED_STATUS[gql.status],
    options: gql.options,
    source_image: gql.sourceImage,
    target_image_gif_or_video: gql.targetImage,
    created: gql.created,
    updated: gql.updated,
    discord: gql.discord,
    server: gql.server,
    channel: gql.channel,
    replyUrl: gql.replyUrl,
    replyRef: gql.replyRef,
    messageId: gql.messageId,
    content: gql.content,
    attachments: gql.attachments.map((a) => ({
      id: a.id,
      content_type: a.contentType,
      filename: a.filename,
      url: path(a.url),
      proxy_url: path(a.proxyUrl),
      size: a.size,
      width: a.width,
      height: a.height,
      download: undefined,
    })),
    timestamp: gql.timestamp,
    error: gql.error,
    errorDetails: gql.errorDetails,
    errorCode: gql.code,
  });
  const pending = gql.status === 'QUEUED' || gql.status === 'STARTED';
  if (gql.status === 'COMPLETED') expect(rest.code).toBe(200);
  else if (pending) expect(rest.code).toBeNull();
  else expect(rest.code).toBeGreaterThanOrEqual(400);
}
