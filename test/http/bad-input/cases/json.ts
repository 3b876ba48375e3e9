/** The bad-input corpus: json cases (JS-nn). */
import type { Audit } from '../audit.js';
import { send, json, gql } from '../target.js';

export const JSON_AUDITS: Audit[] = [
  // --- JSON GraphQL requests -----------------------------------------------------------------
  {
    id: 'JS-01',
    level: 'MUST',
    group: 'json',
    name: 'invalid GraphQL syntax',
    run: () => gql('{ job(id: "x") { id '),
    expect: { status: 400, code: 'GRAPHQL_PARSE_FAILED', message: 'Syntax Error: Expected Name, found <EOF>.' },
  },

  {
    id: 'JS-02',
    level: 'MUST',
    group: 'json',
    name: 'body is not JSON',
    run: () => json('{"query": "{ __typename }"'),
    expect: { status: 400, code: 'BAD_REQUEST', message: 'POST body sent invalid JSON.' },
  },

  {
    id: 'JS-03',
    level: 'MUST',
    group: 'json',
    name: 'no query in the body',
    run: () => json({ variables: {} }),
    expect: { status: 400, code: 'BAD_REQUEST', message: 'Must provide query string.' },
  },

  {
    id: 'JS-04',
    level: 'MUST',
    group: 'json',
    name: 'unknown field (no suggestion outside development)',
    run: () => gql('{ jobz { id } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: 'Cannot query field "jobz" on type "Query". [Suggestion hidden]' },
  },

  {
    id: 'JS-05',
    level: 'MUST',
    group: 'json',
    name: 'wrong variable type (object for ID)',
    run: () => gql('query ($id: ID!) { job(id: $id) { id } }', { id: { a: 1 } }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: 'Variable "$id" got invalid value { a: 1 }; ID cannot represent value: { a: 1 }',
    },
  },

  {
    id: 'JS-06',
    level: 'MUST',
    group: 'json',
    name: 'wrong variable type (string for Int)',
    run: () => gql('query ($n: Int) { jobs(first: $n) { edges { cursor } } }', { n: 'ten' }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: 'Variable "$n" got invalid value "ten"; Int cannot represent non-integer value: "ten"',
    },
  },

  {
    id: 'JS-07',
    level: 'MUST',
    group: 'json',
    name: 'query deeper than the depth limit',
    run: () =>
      gql('{ __type(name: "Job") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }'),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: 'Syntax Error: Query depth limit of 8 exceeded, found 10.' },
  },

  {
    id: 'JS-08',
    level: 'MUST',
    group: 'json',
    name: 'too many aliases',
    run: () => gql(`{ ${Array.from({ length: 20 }, (_, i) => `a${i}: job(id: "x") { id }`).join(' ')} }`),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: 'Syntax Error: Aliases limit of 15 exceeded, found 20.' },
  },

  {
    id: 'JS-09',
    level: 'MUST',
    group: 'json',
    name: 'too many directives',
    run: () => gql(`{ ${Array.from({ length: 21 }, (_, i) => `t${i}: __typename @include(if: true)`).join(' ')} }`),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: 'Syntax Error: Directives limit of 20 exceeded, found 21.' },
  },

  {
    id: 'JS-10',
    level: 'MUST',
    group: 'json',
    name: 'too many tokens',
    run: () => gql(`{ ${Array.from({ length: 1200 }, () => '__typename').join(' ')} }`),
    expect: { status: 400, code: 'GRAPHQL_PARSE_FAILED', message: /^Syntax Error: Token limit of 1000 exceeded/ },
  },

  {
    id: 'JS-11',
    level: 'MUST',
    group: 'json',
    name: 'jobs page far over the maximum (over the cost limit, which gives the range as the reason)',
    run: () => gql('{ jobs(first: 1000) { edges { cursor } } }'),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: 'first must be between 1 and 100' },
  },

  {
    id: 'JS-12',
    level: 'MUST',
    group: 'json',
    name: 'jobs(first: 500)',
    run: () => gql('{ jobs(first: 500) { edges { node { id status attachments { url } } } } }'),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: 'first must be between 1 and 100' },
  },

  {
    id: 'JS-13',
    level: 'MUST',
    group: 'json',
    name: 'jobs(first: 101)',
    run: () => gql('{ jobs(first: 101) { edges { cursor } } }'),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: 'first must be between 1 and 100' },
  },

  {
    id: 'JS-14',
    level: 'MUST',
    group: 'json',
    name: 'an expensive query within the page size keeps the cost limit message',
    run: () =>
      gql(
        `{ ${Array.from({ length: 12 }, (_, i) => `a${i}: jobs(first: 100) { edges { node { id status attachments { url width } } } }`).join(' ')} }`,
      ),
    expect: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', message: /^Syntax Error: Query Cost limit of 5000 exceeded, found \d+\.$/ },
  },

  {
    id: 'JS-15',
    level: 'MUST',
    group: 'json',
    name: 'jobs page of zero',
    run: () => gql('{ jobs(first: 0) { edges { cursor } } }'),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: 'first must be between 1 and 100' },
  },

  {
    id: 'JS-16',
    level: 'MUST',
    group: 'json',
    name: 'jobs paged backwards',
    run: () => gql('{ jobs(last: 5) { edges { cursor } } }'),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: 'jobs pages forward only: use first and after' },
  },

  {
    id: 'JS-17',
    level: 'MUST',
    group: 'json',
    name: 'jobs with a garbage cursor',
    run: () => gql('{ jobs(first: 5, after: "%%%not-a-cursor%%%") { edges { cursor } } }'),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: 'after is not a cursor returned by jobs' },
  },

  {
    id: 'JS-18',
    level: 'MUST',
    group: 'json',
    name: 'a mutation over GET',
    run: () => send({ method: 'GET', path: `/graphql?query=${encodeURIComponent('mutation { cancelJob(id: "x") { id } }')}` }),
    expect: { status: 405, code: 'BAD_REQUEST', message: 'Can only perform a mutation operation from a POST request.' },
  },

  {
    id: 'JS-19',
    level: 'MUST',
    group: 'json',
    // Yoga answers 415 Unsupported Media Type with an empty body (the status is the whole error).
    name: 'unsupported content-type (with the CSRF header, which a text/plain POST needs)',
    run: () => send({ body: '{ __typename }', headers: { 'content-type': 'text/plain', 'x-graphql-yoga-csrf': '1' } }),
    expect: { status: 415, code: null },
  },
];
