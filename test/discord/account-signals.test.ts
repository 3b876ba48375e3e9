/** docs/discord-protocol.md's "Account health" table is the code's (src/discord/account-signals.ts): same signals, states and status. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_SIGNALS, signalOfGatewayClose, signalOfRestAnswer } from '../../src/discord/account-signals.js';

const doc = readFileSync(new URL('../../docs/discord-protocol.md', import.meta.url), 'utf8');
const section = doc.slice(doc.indexOf('### Account health'), doc.indexOf('### Foreign use'));
const rows = section
  .split('\n')
  .filter((line) => /^\| `[A-Z_]+` \|/.test(line))
  .map((line) => line.split('|').map((c) => c.trim()));

describe('the account signal table', () => {
  it('is documented row for row: signal, state and verified / inferred', () => {
    expect(rows.map((r) => r[1]!.replaceAll('`', '')).sort()).toEqual(Object.keys(ACCOUNT_SIGNALS).sort());
    for (const r of rows) {
      const row = ACCOUNT_SIGNALS[r[1]!.replaceAll('`', '') as keyof typeof ACCOUNT_SIGNALS];
      expect({ signal: r[1], state: r[3]!.split(' ')[0]!.replaceAll('`', ''), status: r[4] }).toEqual({
        signal: r[1],
        state: row.state,
        status: row.status,
      });
    }
  });

  it('recognises each of Discord’s answers, and nothing about the account in the others', () => {
    expect(signalOfRestAnswer(401, { message: '401: Unauthorized', code: 0 }, 'x')?.id).toBe('TOKEN_REJECTED');
    expect(signalOfRestAnswer(400, { captcha_key: ['captcha-required'] }, 'x')?.id).toBe('CAPTCHA');
    expect(signalOfRestAnswer(403, { code: 40002 }, 'x')?.id).toBe('VERIFICATION_REQUIRED');
    for (const [status, code] of [
      [403, 50001],
      [403, 50013],
      [404, 10003],
      [404, 10004],
    ] as const)
      expect(signalOfRestAnswer(status, { code }, 'x')?.id).toBe('ACCESS_LOST');
    expect(signalOfRestAnswer(403, { code: 20001 }, 'x')?.id).toBe('FORBIDDEN');
    expect(signalOfRestAnswer(429, { retry_after: 2.5, global: false }, 'x')).toMatchObject({ id: 'RATE_LIMITED', waitMs: 2500 });
    expect(signalOfRestAnswer(400, { code: 50035, message: 'Invalid Form Body' }, 'x')).toBeNull();
    expect(signalOfRestAnswer(404, { code: 10008 }, 'x')).toBeNull();
    expect(signalOfGatewayClose(4004, 'Authentication failed.')?.id).toBe('TOKEN_REJECTED');
    expect(signalOfGatewayClose(4000, 'Unknown error')).toBeNull();
  });
});
