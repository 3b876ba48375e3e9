/**
 * Open dev mode (no API_TOKENS) against pages of other sites (OM-nn): a cross-site form POST, a
 * cross-site fetch, a cross-site websocket and a DNS-rebinding host are refused (403
 * ORIGIN_FORBIDDEN, no CORS grant); the page on loopback and clients that are not browsers work.
 */
import WebSocket from 'ws';
import type { Audit, Outcome } from '../audit.js';
import { rawHttp, target } from '../target.js';

const EVIL = 'https://attacker.example';
const FORBIDDEN = {
  status: 403,
  code: 'ORIGIN_FORBIDDEN',
  message: /^Forbidden: .*open dev mode \(no API_TOKENS\) serves browser pages on this machine only/,
};
const NO_CORS = { 'access-control-allow-origin': /^$/ };

/** A request with the headers a browser would add; the default Host is the server's loopback address. */
function browserRequest(method: string, path: string, headers: Record<string, string>, body = ''): Promise<Outcome> {
  const host = headers['host'] ?? `127.0.0.1:${target.port}`;
  const lines = Object.entries({ ...headers, host, 'content-length': String(Buffer.byteLength(body)), connection: 'close' })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return rawHttp(`${method} ${path} HTTP/1.1\r\n${lines}\r\n`, Buffer.from(body)).then((outcome) => ({
    ...outcome,
    headers: { 'access-control-allow-origin': '', ...outcome.headers },
  }));
}

const FORM = {
  'content-type': 'application/x-www-form-urlencoded',
  origin: EVIL,
  'sec-fetch-site': 'cross-site',
  'sec-fetch-mode': 'navigate',
};
const form = (query: string) => `query=${encodeURIComponent(query)}`;

/** The websocket handshake's answer: 101 when it opened (then closed), else the refusal's status. */
function websocketFrom(origin: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(target.stack.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { origin });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? null });
      ws.terminate();
    });
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
      ws.once('message', (data) => {
        resolve({ status: 101, code: (JSON.parse((data as Buffer).toString('utf8')) as { type: string }).type });
        ws.close();
      });
    });
    ws.once('error', () => resolve({ status: null }));
  });
}

export const OPEN_MODE_AUDITS: Audit[] = [
  {
    id: 'OM-01',
    level: 'MUST',
    group: 'open-mode',
    name: 'a cross-site form POST running deleteAllIds',
    run: () => browserRequest('POST', '/graphql', FORM, form('mutation { deleteAllIds(input: {}) { id } }')),
    expect: { ...FORBIDDEN, headers: NO_CORS },
  },
  {
    id: 'OM-02',
    level: 'MUST',
    group: 'open-mode',
    name: 'a cross-site form POST running upsertAccount',
    run: () =>
      browserRequest(
        'POST',
        '/graphql',
        FORM,
        form('mutation { upsertAccount(input: { channel: "123456789012345678", server: "1", discord: "attacker-token" }) { channel } }'),
      ),
    expect: FORBIDDEN,
  },
  {
    id: 'OM-03',
    level: 'MUST',
    group: 'open-mode',
    name: 'a cross-site fetch reading jobs (a JSON POST after its preflight) gets no CORS grant',
    run: () =>
      browserRequest(
        'POST',
        '/graphql',
        { 'content-type': 'application/json', origin: EVIL, 'sec-fetch-site': 'cross-site' },
        JSON.stringify({ query: '{ jobs { edges { node { id } } } }' }),
      ),
    expect: { ...FORBIDDEN, headers: NO_CORS },
  },
  {
    id: 'OM-04',
    level: 'MUST',
    group: 'open-mode',
    name: 'the CORS preflight of a cross-site page is refused',
    run: () =>
      browserRequest('OPTIONS', '/graphql', {
        origin: EVIL,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      }),
    expect: { status: 403, headers: NO_CORS },
  },
  {
    id: 'OM-05',
    level: 'MUST',
    group: 'open-mode',
    name: 'a cross-site websocket is refused at the upgrade (no connection_ack)',
    run: () => websocketFrom(EVIL),
    expect: { status: 403 },
  },
  {
    id: 'OM-06',
    level: 'MUST',
    group: 'open-mode',
    name: 'a DNS-rebinding page (same-origin to the browser, Host attacker.example) is refused',
    run: () =>
      browserRequest('GET', `/graphql?query=${encodeURIComponent('{ jobs { edges { cursor } } }')}`, {
        host: `attacker.example:${target.port}`,
        'sec-fetch-site': 'same-origin',
      }),
    expect: FORBIDDEN,
  },
  {
    id: 'OM-07',
    level: 'MUST',
    group: 'open-mode',
    name: 'a sandboxed page (Origin: null) is refused',
    run: () =>
      browserRequest(
        'POST',
        '/graphql',
        { 'content-type': 'application/json', origin: 'null' },
        JSON.stringify({ query: '{ __typename }' }),
      ),
    expect: FORBIDDEN,
  },
  {
    id: 'OM-08',
    level: 'MUST',
    group: 'open-mode',
    name: 'a cross-site request to the REST contract under /v1 is refused too',
    run: () =>
      browserRequest('POST', '/v1/faceswap/picsi', { origin: EVIL, 'content-type': 'multipart/form-data; boundary=x' }, '--x--\r\n'),
    expect: { status: 403 },
  },
  {
    id: 'OM-09',
    level: 'MUST',
    group: 'open-mode',
    name: 'the page on loopback (Origin http://localhost:<port>) is served, with its CORS grant',
    run: () =>
      browserRequest(
        'POST',
        '/graphql',
        { 'content-type': 'application/json', origin: `http://localhost:${target.port}`, 'sec-fetch-site': 'same-site' },
        JSON.stringify({ query: '{ __typename }' }),
      ),
    expect: { status: 200, code: null, headers: { 'access-control-allow-origin': /^http:\/\/localhost:\d+$/ } },
  },
  {
    id: 'OM-10',
    level: 'MUST',
    group: 'open-mode',
    name: 'a websocket from the loopback page is acknowledged',
    run: () => websocketFrom(`http://127.0.0.1:${target.port}`),
    expect: { status: 101, code: 'connection_ack' },
  },
  {
    id: 'OM-11',
    level: 'MUST',
    group: 'open-mode',
    name: 'a client that is not a browser (no Origin, no Sec-Fetch-*) is served',
    run: () => browserRequest('POST', '/graphql', { 'content-type': 'application/json' }, JSON.stringify({ query: '{ __typename }' })),
    expect: { status: 200, code: null },
  },
];
