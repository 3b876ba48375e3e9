/** Payment (402) and the query limits: depth, aliases, hidden field suggestions outside development. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { PICSI_MUTATION, postJson, postMultipart } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  // A /picsi costs 3 credits; 2 a day means no channel can afford one.
  stack = await startStack({ env: { CREDITS_PER_DAY: '2' } });
});
afterAll(() => stack.stop());

describe('limits', () => {
  it('PAYMENT_REQUIRED when no channel has credits left today', async () => {
    const png = await makePng(8, 8);
    const res = await postMultipart(
      stack.url,
      PICSI_MUTATION,
      { input: { sourceImage: null, targetImage: null } },
      {
        'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' },
        'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' },
      },
    );
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('PAYMENT_REQUIRED');
    expect(res.body.errors?.[0]?.message).toBe('Account has no credits left today (UTC) on any configured channel');
  });

  it('refuses alias floods and token floods before executing them', async () => {
    const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: job(id: "x") { id }`).join(' ');
    const flood = await postJson(stack.url, `{ ${aliases} }`);
    expect(flood.body.errors?.[0]?.message).toBe('Syntax Error: Aliases limit of 15 exceeded, found 30.');
    expect(flood.body.data).toBeUndefined();
    const tokens = await postJson(stack.url, `{ ${Array(1200).fill('__typename').join(' ')} }`);
    expect(tokens.body.errors?.[0]?.message).toBe('Syntax Error: Token limit of 1000 exceeded.');
  });

  it('hides field suggestions outside development', async () => {
    const res = await postJson(stack.url, '{ jobz }');
    expect(res.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });
});
