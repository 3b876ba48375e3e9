/**
 * Open dev mode (no API_TOKENS: the no-config `npm start`) against pages of other sites: a
 * cross-site form POST, a cross-site fetch reading jobs, a cross-site websocket and a DNS-rebinding
 * host are refused (403 ORIGIN_FORBIDDEN, no CORS headers), while the page on loopback, and clients
 * that are not browsers, keep working. Audits OM-nn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../../helpers/stack.js';
import { expectOutcome } from './audit.js';
import { OPEN_MODE_AUDITS } from './cases/open-mode.js';
import { target } from './target.js';

beforeAll(async () => {
  target.stack = await startStack();
  target.port = Number(new URL(target.stack.url).port);
});
afterAll(() => target.stack?.stop());

describe('bad-input corpus: open dev mode against other sites', () => {
  for (const audit of OPEN_MODE_AUDITS) {
    it(`${audit.id} ${audit.level} [${audit.group}] ${audit.name}`, async () => expectOutcome(audit, await audit.run()));
  }

  it('afterwards: the refused mutations changed nothing (the demo account is still there, no job ran)', async () => {
    const accounts = await target.stack.services.jobs.accounts.list();
    expect(accounts.map((a) => a.channel)).toEqual([target.stack.accounts[0]!.channelId]);
    expect(target.stack.simulator.requests.filter((r) => r.path.includes('/interactions'))).toEqual([]);
  });
});
