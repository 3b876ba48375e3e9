/** Small clients for tests: GraphQL over HTTP (JSON and multipart) and graphql-ws. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[] };
}

export async function postJson<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GraphQLResponse<T>['body'] };
}

export interface UploadFile {
  bytes: Buffer;
  filename: string;
  type: string;
}

/** A GraphQL multipart request (the spec curl example in the README), with files mapped into variables. */
export async function postMultipart<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  files: Record<string, UploadFile>,
  options: { token?: string; preflight?: boolean } = {},
): Promise<GraphQLResponse<T>> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query, variables }));
  const map: Record<string, string[]> = {};
  Object.keys(files).forEach((path, i) => (map[String(i)] = [`variables.${path}`]));
  form.set('map', JSON.stringify(map));
  Object.values(files).forEach((file, i) =>
    form.set(String(i), new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.filename),
  );
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      ...(options.preflight === false ? {} : { 'x-graphql-yoga-csrf': '1' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as GraphQLResponse<T>['body'] };
}

export const PICSI_MUTATION = /* GraphQL */ `
  mutation Picsi($input: PicsiInput!) {
    picsi(input: $input) {
      id
      status
      version
      queuePosition
      channel
      server
      discord
      options
      code
      error
      errorDetails
      replyRef
      sourceImage {
        size
        type
        filename
      }
      targetImage {
        size
        type
        filename
      }
      attachments {
        id
        contentType
        filename
        url
        proxyUrl
        size
        width
        height
      }
      messageId
      content
      timestamp
    }
  }
`;

/** The two files of a picsi request, as postMultipart maps them (the target a PNG unless named otherwise). */
export const picsiFiles = (
  source: Buffer,
  target: Buffer = source,
  targetAs: Pick<UploadFile, 'filename' | 'type'> = { filename: 't.png', type: 'image/png' },
): Record<string, UploadFile> => ({
  'input.sourceImage': { bytes: source, filename: 's.png', type: 'image/png' },
  'input.targetImage': { bytes: target, ...targetAs },
});

/** Submits a picsi of `source` onto `target` (PNG), `query` selecting the returned job's fields. */
export const postPicsi = <T = { picsi: { id: string; status: string } }>(
  url: string,
  source: Buffer,
  options: { query?: string; wait?: boolean; token?: string; target?: Buffer } = {},
) =>
  postMultipart<T>(
    url,
    options.query ?? 'mutation ($input: PicsiInput!) { picsi(input: $input) { id status } }',
    { input: { sourceImage: null, targetImage: null, ...(options.wait ? { wait: true } : {}) } },
    picsiFiles(source, options.target),
    options.token ? { token: options.token } : {},
  );

/** Submits a picsi job with `png` as face and target (queued, not waited for); resolves its id. */
export async function submitPicsi(url: string, png: Buffer, token?: string): Promise<string> {
  const res = await postMultipart<{ picsi: { id: string } }>(
    url,
    PICSI_MUTATION,
    { input: { sourceImage: null, targetImage: null } },
    {
      'input.sourceImage': { bytes: png, filename: 'a.png', type: 'image/png' },
      'input.targetImage': { bytes: png, filename: 'b.png', type: 'image/png' },
    },
    token ? { token } : {},
  );
  const id = res.body.data?.picsi.id;
  if (!id) throw new Error(`picsi was refused: ${JSON.stringify(res.body.errors)}`);
  return id;
}

export function wsClient(httpUrl: string, token?: string, extra: { lazy?: boolean; retryAttempts?: number } = {}): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: extra.lazy ?? true,
    retryAttempts: extra.retryAttempts ?? 0,
  });
}

/** Collects every result of one subscription until it completes (or errors). */
export function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ results: T[]; errors: unknown[] }> {
  return new Promise((resolve) => {
    const results: T[] = [];
    const errors: unknown[] = [];
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.data) results.push(value.data);
          if (value.errors) errors.push(...value.errors);
        },
        error: (error) => {
          errors.push(error);
          resolve({ results, errors });
        },
        complete: () => resolve({ results, errors }),
      },
    );
  });
}
