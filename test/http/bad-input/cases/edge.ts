/**
 * The checks before any route (src/http/edge): one spelling per path (PA), the CSRF rule of
 * POST /graphql (CS), GET parameters (GE), and the GraphQL-over-HTTP status rule the README states
 * (HS).
 */
import type { Audit, Outcome } from '../audit.js';
import { multipart, pngPart, rawHttp, send, USER } from '../target.js';

const NOT_FOUND = { status: 404, code: 'NOT_FOUND', message: /^Not found/ };
const CSRF = /must carry a non-empty x-graphql-yoga-csrf or apollo-require-preflight header \(CSRF protection\)/;

/** A request line sent as is (fetch and undici normalise /./ and // away). */
const rawRequest = (method: string, path: string, headers = '', body = Buffer.alloc(0)) =>
  rawHttp(
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${USER}\r\nContent-Length: ${body.length}\r\n${headers}Connection: close\r\n\r\n`,
    body,
  );

/** 300 files and a 300 kB operations field: what a path alias let past the multipart guard. */
const oversizedUpload = (path: string) => {
  const parts = [
    { name: 'operations', value: JSON.stringify({ query: '{ __typename }', pad: 'p'.repeat(300 * 1024) }) },
    { name: 'map', value: JSON.stringify(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [String(i), [`variables.f${i}`]]))) },
    ...Array.from({ length: 300 }, (_, i) => pngPart(String(i))),
  ];
  const boundary = '----picsi-alias';
  const body = Buffer.concat(
    parts.flatMap((p) => [
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${'filename' in p ? `; filename="${p.filename}"\r\nContent-Type: image/png` : ''}\r\n\r\n`,
      ),
      Buffer.from(p.value),
      Buffer.from('\r\n'),
    ]),
  );
  return rawRequest(
    'POST',
    path,
    `Content-Type: multipart/form-data; boundary=${boundary}\r\n`,
    Buffer.concat([body, Buffer.from(`--${boundary}--\r\n`)]),
  );
};

const withAccept = (accept: string, query: string, variables: Record<string, unknown> = {}): Promise<Outcome> =>
  send({ body: JSON.stringify({ query, variables }), headers: { 'content-type': 'application/json', accept } });

export const EDGE_AUDITS: Audit[] = [
  ...['/graphql/', '//graphql', '/./graphql', '/graphql/.', '/%2fgraphql', '/graphql%2f'].map((path, i): Audit => ({
    id: `PA-0${i + 1}`,
    level: 'MUST',
    group: 'path',
    name: `${path}: an alias of /graphql answers 404 before any upload is read (300 files, 300 kB operations, no CSRF header)`,
    run: () => oversizedUpload(path),
    expect: NOT_FOUND,
  })),
  {
    id: 'PA-07',
    level: 'MUST',
    group: 'path',
    name: 'GET /graphql/ (GraphiQL or a query on an alias) answers 404',
    run: () => rawRequest('GET', '/graphql/?query=%7B__typename%7D'),
    expect: NOT_FOUND,
  },
  {
    id: 'PA-08',
    level: 'MUST',
    group: 'path',
    name: 'an alias under /v1 (an empty segment) answers 404 before the REST contract sees it',
    run: () => rawRequest('GET', '/v1//faceswap/jobs/?jobid=x'),
    expect: { status: 404 },
  },
  {
    id: 'PA-09',
    level: 'MUST',
    group: 'path',
    name: 'a path this server does not serve answers a JSON 404',
    run: () => rawRequest('GET', '/graphiql'),
    expect: NOT_FOUND,
  },
  {
    id: 'CS-01',
    level: 'MUST',
    group: 'csrf',
    name: 'an application/x-www-form-urlencoded POST (a cross-site form) without the CSRF header',
    run: () =>
      send({
        body: `query=${encodeURIComponent('mutation { deleteAllIds(input: {}) { id } }')}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    expect: { status: 400, code: 'CSRF_PREFLIGHT_REQUIRED', message: CSRF },
  },
  {
    id: 'CS-02',
    level: 'MUST',
    group: 'csrf',
    name: 'a text/plain POST without the CSRF header',
    run: () => send({ body: JSON.stringify({ query: '{ __typename }' }), headers: { 'content-type': 'text/plain' } }),
    expect: { status: 400, code: 'CSRF_PREFLIGHT_REQUIRED', message: CSRF },
  },
  {
    id: 'CS-03',
    level: 'MUST',
    group: 'csrf',
    name: 'a POST without a content type and without the CSRF header',
    run: () => rawRequest('POST', '/graphql', '', Buffer.from('{"query":"{ __typename }"}')),
    expect: { status: 400, code: 'CSRF_PREFLIGHT_REQUIRED', message: CSRF },
  },
  {
    id: 'CS-04',
    level: 'MUST',
    group: 'csrf',
    name: 'a multipart POST with a text/plain-looking charset parameter still needs the header',
    run: () => multipart(undefined, { contentType: 'Multipart/Form-Data; boundary=----picsi-badinput-boundary', preflight: {} }),
    expect: { status: 400, code: 'CSRF_PREFLIGHT_REQUIRED', message: CSRF },
  },
  ...(
    [
      ['variables', '{bad', 'is not valid JSON'],
      ['extensions', '{bad', 'is not valid JSON'],
      ['variables', '[1,2]', 'must be a JSON object'],
    ] as const
  ).map(([name, value, problem], i): Audit => ({
    id: `GE-0${i + 1}`,
    level: 'MUST',
    group: 'get',
    name: `GET with ${name}=${value}: a client error (400 BAD_REQUEST), not an internal one`,
    run: () => send({ method: 'GET', path: `/graphql?query=${encodeURIComponent('{ __typename }')}&${name}=${encodeURIComponent(value)}` }),
    expect: { status: 400, code: 'BAD_REQUEST', message: `The GET parameter "${name}" ${problem}.` },
  })),
  {
    id: 'HS-01',
    level: 'MUST',
    group: 'status',
    name: 'a syntax error for a client accepting application/graphql-response+json: 400',
    run: () => withAccept('application/graphql-response+json', '{ job '),
    expect: { status: 400, code: 'GRAPHQL_PARSE_FAILED' },
  },
  {
    id: 'HS-02',
    level: 'MUST',
    group: 'status',
    name: 'a syntax error for a client accepting only application/json: 200 (the legacy rule the README states)',
    run: () => withAccept('application/json', '{ job '),
    expect: { status: 200, code: 'GRAPHQL_PARSE_FAILED' },
  },
  {
    id: 'HS-03',
    level: 'MUST',
    group: 'status',
    name: 'a validation error for a client accepting only application/json: 200',
    run: () => withAccept('application/json', '{ nope }'),
    expect: { status: 200, code: 'GRAPHQL_VALIDATION_FAILED' },
  },
  {
    id: 'HS-04',
    level: 'MUST',
    group: 'status',
    name: 'a variable error keeps 400 for an application/json client',
    run: () => withAccept('application/json', 'query ($n: Int) { jobs(first: $n) { edges { cursor } } }', { n: 'x' }),
    expect: { status: 400, code: 'BAD_USER_INPUT' },
  },
  {
    id: 'HS-05',
    level: 'MUST',
    group: 'status',
    name: 'a request without a query, for an application/json client: 200',
    run: () => send({ body: '{"variables":{}}', headers: { 'content-type': 'application/json', accept: 'application/json' } }),
    expect: { status: 200, code: 'BAD_REQUEST', message: 'Must provide query string.' },
  },
  {
    id: 'HS-06',
    level: 'MUST',
    group: 'status',
    name: 'a body that is not JSON keeps 400 for an application/json client',
    run: () => send({ body: '{"query": "{ __typename }"', headers: { 'content-type': 'application/json', accept: 'application/json' } }),
    expect: { status: 400, code: 'BAD_REQUEST', message: 'POST body sent invalid JSON.' },
  },
];
