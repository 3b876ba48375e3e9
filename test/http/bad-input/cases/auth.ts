/** The bad-input corpus: auth cases (AU-nn). */
import type { Audit } from '../audit.js';
import { USER, OTHER, ADMIN, target, send, gql, upload } from '../target.js';

export const AUTH_AUDITS: Audit[] = [
  // --- auth -----------------------------------------------------------------------------------
  {
    id: 'AU-01',
    level: 'MUST',
    group: 'auth',
    name: 'no token',
    run: () => gql('{ jobs { edges { cursor } } }', {}, null),
    expect: { status: 401, code: 'UNAUTHENTICATED', message: 'Unauthorized: send Authorization: Bearer <API token>' },
  },

  {
    id: 'AU-02',
    level: 'MUST',
    group: 'auth',
    name: 'wrong token',
    run: () => gql('{ jobs { edges { cursor } } }', {}, 'not-a-token'),
    expect: { status: 401, code: 'UNAUTHENTICATED', message: 'Unauthorized: unknown API token' },
  },

  {
    id: 'AU-03',
    level: 'MUST',
    group: 'auth',
    name: 'malformed Authorization header (Basic)',
    run: () =>
      send({
        body: JSON.stringify({ query: '{ __typename }' }),
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
        token: null,
      }),
    expect: { status: 401, code: 'UNAUTHENTICATED', message: 'Unauthorized: the Authorization header must be "Bearer <API token>"' },
  },

  {
    id: 'AU-04',
    level: 'MUST',
    group: 'auth',
    name: 'Authorization "Bearer" without a token',
    run: () =>
      send({
        body: JSON.stringify({ query: '{ __typename }' }),
        headers: { 'content-type': 'application/json', authorization: 'Bearer ' },
        token: null,
      }),
    expect: { status: 401, code: 'UNAUTHENTICATED', message: 'Unauthorized: the Authorization header must be "Bearer <API token>"' },
  },

  {
    id: 'AU-05',
    level: 'MUST',
    group: 'auth',
    name: 'upload without a token',
    run: () => upload({ token: null }),
    expect: { status: 401, code: 'UNAUTHENTICATED', message: 'Unauthorized: send Authorization: Bearer <API token>' },
  },

  {
    id: 'AU-06',
    level: 'MUST',
    group: 'auth',
    name: "another owner's job",
    run: () => gql('query ($id: ID!) { job(id: $id) { id } }', { id: target.userJobId }, OTHER),
    expect: { status: 200, code: 'NOT_FOUND', message: /^Job \S+ not found$/ },
  },

  {
    id: 'AU-07',
    level: 'MUST',
    group: 'auth',
    name: "cancelJob of another owner's job",
    run: () => gql('mutation ($id: ID!) { cancelJob(id: $id) { id } }', { id: target.userJobId }, OTHER),
    expect: { status: 200, code: 'NOT_FOUND', message: /^Job \S+ not found$/ },
  },

  {
    id: 'AU-08',
    level: 'MUST',
    group: 'auth',
    name: 'job(id) with a garbage id',
    run: () => gql('{ job(id: "../../*?[]{}") { id } }'),
    expect: { status: 200, code: 'NOT_FOUND', message: 'Job ../../*?[]{} not found' },
  },

  {
    id: 'AU-09',
    level: 'MUST',
    group: 'auth',
    name: 'job(id) with a 10 kB id',
    run: () => gql('query ($id: ID!) { job(id: $id) { id } }', { id: 'x'.repeat(10_000) }),
    expect: { status: 200, code: 'NOT_FOUND', message: `Job ${'x'.repeat(64)}… not found` },
  },

  {
    id: 'AU-10',
    level: 'MUST',
    group: 'auth',
    name: 'user calls admin-only accounts',
    run: () => gql('{ accounts { channel } }', {}, USER),
    expect: { status: 200, code: 'FORBIDDEN', message: 'Forbidden: this operation needs an admin token' },
  },

  {
    id: 'AU-11',
    level: 'MUST',
    group: 'auth',
    name: 'user calls admin-only upsertAccount',
    run: () =>
      gql(
        'mutation { upsertAccount(input: { channel: "123456789", server: "123456789", discord: "user-token-xxxxxx" }) { channel } }',
        {},
        USER,
      ),
    expect: { status: 200, code: 'FORBIDDEN', message: 'Forbidden: this operation needs an admin token' },
  },

  {
    id: 'AU-12',
    level: 'MUST',
    group: 'auth',
    name: 'admin reads an unknown channel',
    run: () => gql('{ account(channel: "424242424242") { channel } }', {}, ADMIN),
    expect: { status: 200, code: 'NOT_FOUND', message: 'Configuration not found for channel 424242424242' },
  },

  {
    id: 'AU-13',
    level: 'MUST',
    group: 'auth',
    name: 'admin upserts an account with a bad channel id',
    run: () =>
      gql(
        'mutation { upsertAccount(input: { channel: "general", server: "123456789", discord: "user-token-xxxxxx" }) { channel } }',
        {},
        ADMIN,
      ),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: 'channel must be a Discord snowflake id' },
  },
];
