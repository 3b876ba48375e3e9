/**
 * /v1/openapi.json: a valid OpenAPI 3.1 document (checked by @seriousme/openapi-schema-validator
 * against the specification's own JSON Schemas), listing the hosted API's fixed paths; then a walk
 * of the document: every operation is called on the real server, once as it documents success and
 * once without a token, and each answer's status must be documented for that operation and its body
 * valid (Ajv, JSON Schema 2020-12) against the schema documented for that status.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';

const TOKEN = 'rest-openapi-admin';

interface Operation {
  operationId: string;
  parameters?: { name: string; in: 'path' | 'query'; required: boolean }[];
  requestBody?: { content: Record<string, { schema: { properties: Record<string, { format?: string }>; required: string[] } }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

let stack: Stack;
let origin: string;
let doc: Document;
let png: Buffer;

beforeAll(async () => {
  stack = await startStack({ env: { ADMIN_TOKENS: TOKEN, CREDITS_PER_DAY: '1000' } });
  origin = new URL(stack.url).origin;
  const res = await fetch(`${origin}/v1/openapi.json`);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  doc = (await res.json()) as Document;
  png = await makePng(32, 32);
});
afterAll(() => stack?.stop());

describe('the document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists the hosted API’s paths (fixed: README, Configuration) and their methods', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'POST /v1/faceswap/picsi',
        'POST /v1/faceswap/saveid',
        'POST /v1/faceswap/swapid',
        'POST /v1/faceswap/setid',
        'POST /v1/faceswap/listid',
        'DELETE /v1/faceswap/delid',
        'DELETE /v1/faceswap/delall',
        'GET /v1/faceswap/jobs/',
        'GET /v1/faceswap/jobs/cancel/',
        'GET /v1/faceswap/account',
        'GET /v1/faceswap/account/{channel}',
        'POST /v1/faceswap/account/{channel}',
        'DELETE /v1/faceswap/account/{channel}',
      ].sort(),
    );
  });
});

describe('every route answers as documented', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  let documented = false;
  /** The schema the document gives the answer of `path` `method` `status`. */
  const validatorFor = (path: string, method: string, status: number) => {
    if (!documented) {
      ajv.addSchema(doc, 'openapi');
      documented = true;
    }
    const pointer = ['paths', path, method, 'responses', String(status), 'content', 'application/json', 'schema']
      .map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1')))
      .join('/');
    return ajv.getSchema(`openapi#/${pointer}`);
  };

  /** The values the walk sends for path parameters and required fields. */
  const samples = (): Record<string, string> => {
    const account = stack.accounts[0]!;
    return { channel: account.channelId, idname: 'walker', discord: account.token, server: account.guildId, jobid: lastJobId };
  };
  let lastJobId = '';

  async function call(path: string, method: string, op: Operation, token: string | undefined) {
    const values = samples();
    let target = path.replace(/\{(\w+)\}/g, (_, name: string) => values[name]!);
    const query = (op.parameters ?? []).filter((p) => p.in === 'query' && p.required);
    if (query.length > 0) target += `?${new URLSearchParams(query.map((p) => [p.name, values[p.name]!])).toString()}`;
    const init: RequestInit = { method: method.toUpperCase(), headers: token ? { authorization: `Bearer ${token}` } : {} };
    const content = op.requestBody?.content;
    const multipart = content?.['multipart/form-data']?.schema;
    if (content && multipart) {
      const body = new FormData();
      for (const name of multipart.required) {
        if (multipart.properties[name]?.format === 'binary') body.append(name, new Blob([new Uint8Array(png)]), `${name}.png`);
        else body.append(name, values[name]!);
      }
      init.body = body;
    }
    const res = await fetch(`${origin}${target}`, init);
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  function expectDocumented(path: string, method: string, op: Operation, answer: { status: number; body: unknown }) {
    const where = `${method.toUpperCase()} ${path} → ${answer.status} ${JSON.stringify(answer.body)}`;
    expect(Object.keys(op.responses), where).toContain(String(answer.status));
    if (op.responses[String(answer.status)]!.content === undefined) return expect(answer.body, where).toBeUndefined();
    const validate = validatorFor(path, method, answer.status);
    expect(validate, where).toBeDefined();
    const valid = validate!(answer.body);
    expect(validate!.errors ?? [], where).toEqual([]);
    expect(valid).toBe(true);
  }

  it('each operation: its documented success, then without a token its documented 401', async () => {
    const walked: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const ok = await call(path, method, op, TOKEN);
        expectDocumented(path, method, op, ok);
        expect(ok.status, `${method} ${path} → ${JSON.stringify(ok.body)}`).toBeLessThan(300);
        const job = ok.body as { jobid?: unknown } | undefined;
        if (typeof job?.jobid === 'string') lastJobId = job.jobid;
        expectDocumented(path, method, op, await call(path, method, op, undefined));
        walked.push(`${method} ${path}`);
      }
    }
    expect(walked).toHaveLength(13);
  });
});
