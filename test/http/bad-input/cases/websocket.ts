/** The bad-input corpus: websocket cases (WS-nn). */
import type { Audit } from '../audit.js';
import { MAX_OPERATIONS_PER_SOCKET } from '../../../../src/http/websocket.js';
import { USER, OTHER, target, RawWs, wsClosedWith, wsOperation, JOB_UPDATED, JOBS_UPDATED } from '../target.js';

export const WEBSOCKET_AUDITS: Audit[] = [
  // --- graphql-ws -----------------------------------------------------------------------------
  {
    id: 'WS-01',
    level: 'MUST',
    group: 'websocket',
    name: 'no token: closed 4401 "missing token"',
    run: () => wsClosedWith((ws) => ws.send({ type: 'connection_init', payload: {} })),
    expect: { close: 4401, message: 'missing token' },
  },

  {
    id: 'WS-02',
    level: 'MUST',
    group: 'websocket',
    name: 'wrong token: closed 4403 "unknown token"',
    run: () => wsClosedWith((ws) => ws.send({ type: 'connection_init', payload: { authorization: 'Bearer nope' } })),
    expect: { close: 4403, message: 'unknown token' },
  },

  {
    id: 'WS-03',
    level: 'MUST',
    group: 'websocket',
    name: 'Basic credentials: closed 4403 "malformed token"',
    run: () => wsClosedWith((ws) => ws.send({ type: 'connection_init', payload: { authorization: 'Basic dTpw' } })),
    expect: { close: 4403, message: 'malformed token' },
  },

  {
    id: 'WS-04',
    level: 'MUST',
    group: 'websocket',
    name: 'non-string token: closed 4403 "malformed token"',
    run: () => wsClosedWith((ws) => ws.send({ type: 'connection_init', payload: { authorization: { bearer: USER } } })),
    expect: { close: 4403, message: 'malformed token' },
  },

  {
    id: 'WS-05',
    level: 'MUST',
    group: 'websocket',
    name: 'subscribe before connection_init: closed 4401',
    run: () => wsClosedWith((ws) => ws.send({ id: '1', type: 'subscribe', payload: { query: JOBS_UPDATED } })),
    expect: { close: 4401, message: 'Unauthorized' },
  },

  {
    id: 'WS-06',
    level: 'MUST',
    group: 'websocket',
    name: 'a message that is not JSON: closed 4400',
    run: () => wsClosedWith((ws) => ws.send('{not json')),
    expect: { close: 4400 },
  },

  {
    id: 'WS-07',
    level: 'MUST',
    group: 'websocket',
    name: 'a duplicate operation id: closed 4409',
    run: async () => {
      const ws = await RawWs.connected();
      ws.send({ id: 'dup', type: 'subscribe', payload: { query: JOBS_UPDATED } });
      ws.send({ id: 'dup', type: 'subscribe', payload: { query: JOBS_UPDATED } });
      const closed = await ws.closed;
      return { close: closed.code, message: closed.reason, code: null };
    },
    expect: { close: 4409, message: 'Subscriber for dup already exists' },
  },

  {
    id: 'WS-08',
    level: 'MUST',
    group: 'websocket',
    name: 'subscription with a syntax error',
    run: async () => {
      const ws = await RawWs.connected();
      ws.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { jobsUpdated { id ' } });
      const outcome = await ws.errorOf('s');
      ws.close();
      return outcome;
    },
    expect: { close: 0, code: 'GRAPHQL_PARSE_FAILED', message: 'Syntax Error: Expected Name, found <EOF>.' },
  },

  {
    id: 'WS-09',
    level: 'MUST',
    group: 'websocket',
    name: 'subscription on an unknown field',
    run: () => wsOperation({ query: 'subscription { jobUpdate(id: "x") { id } }' }),
    expect: {
      close: 0,
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: 'Cannot query field "jobUpdate" on type "Subscription". [Suggestion hidden]',
    },
  },

  {
    id: 'WS-10',
    level: 'MUST',
    group: 'websocket',
    name: 'operation over the alias limit',
    run: () => wsOperation({ query: `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: job(id: "x") { id }`).join(' ')} }` }),
    expect: { close: 0, code: 'GRAPHQL_VALIDATION_FAILED', message: 'Syntax Error: Aliases limit of 15 exceeded, found 20.' },
  },

  {
    id: 'WS-11',
    level: 'MUST',
    group: 'websocket',
    name: 'subscription with a wrong variable type',
    run: () => wsOperation({ query: JOB_UPDATED, variables: { id: ['a', 'b'] } }),
    expect: {
      close: 0,
      code: 'BAD_USER_INPUT',
      message: 'Variable "$id" got invalid value ["a", "b"]; ID cannot represent value: ["a", "b"]',
    },
  },

  {
    id: 'WS-12',
    level: 'MUST',
    group: 'websocket',
    name: "jobUpdated of another owner's job",
    run: async () => {
      const ws = await RawWs.connected(OTHER);
      ws.send({ id: 'j', type: 'subscribe', payload: { query: JOB_UPDATED, variables: { id: target.userJobId } } });
      const outcome = await ws.errorOf('j');
      ws.close();
      return outcome;
    },
    expect: { close: 0, code: 'NOT_FOUND', message: /^Job \S+ not found$/ },
  },

  {
    id: 'WS-13',
    level: 'MUST',
    group: 'websocket',
    name: 'jobsUpdated on an unknown channel',
    run: async () => {
      const ws = await RawWs.connected();
      ws.send({ id: 'c', type: 'subscribe', payload: { query: 'subscription { jobsUpdated(channel: "424242424242") { id } }' } });
      const outcome = await ws.errorOf('c');
      ws.close();
      return outcome;
    },
    expect: { close: 0, code: 'NOT_FOUND', message: 'Channel 424242424242 is not configured' },
  },

  {
    id: 'WS-14',
    level: 'MUST',
    group: 'websocket',
    name: `subscription flood: operation ${MAX_OPERATIONS_PER_SOCKET + 1} on one socket is refused, the socket stays usable`,
    run: async () => {
      const ws = await RawWs.connected();
      for (let i = 0; i < MAX_OPERATIONS_PER_SOCKET; i++) ws.send({ id: `f${i}`, type: 'subscribe', payload: { query: JOBS_UPDATED } });
      // graphql-ws registers each operation id as its message arrives, so 'over' is the 101st.
      ws.send({ id: 'over', type: 'subscribe', payload: { query: JOBS_UPDATED } });
      const outcome = await ws.errorOf('over');
      // The existing subscriptions are untouched: none of them got an error or completed.
      const disturbed = ws.messages.filter((m) => m.id?.startsWith('f') && m.type !== 'next');
      // Freeing one slot lets a new operation run again.
      ws.send({ id: 'f0', type: 'complete' });
      ws.send({ id: 'after', type: 'subscribe', payload: { query: JOB_UPDATED, variables: { id: target.userJobId } } });
      const after = await ws.waitFor((m) => m.id === 'after' && m.type === 'next');
      ws.close();
      const ok =
        disturbed.length === 0 && (after.payload as { data?: { jobUpdated?: { id: string } } }).data?.jobUpdated?.id === target.userJobId;
      return { ...outcome, ...(ok ? {} : { message: `flood side effects: disturbed=${disturbed.length} after=${JSON.stringify(after)}` }) };
    },
    expect: { close: 0, code: 'BAD_USER_INPUT', message: `At most ${MAX_OPERATIONS_PER_SOCKET} operations may run on one socket` },
  },
];
