import { activeHealth } from '../../src/jobs/account.js';
import { describe, expect, it } from 'vitest';
import { AccountSnapshot } from '../../src/executor/account-snapshot.js';
import type { AccountRecord } from '../../src/executor/store/port.js';

const account = (channel: string): AccountRecord => ({
  channel,
  server: '100000000000000001',
  discord: 'token-of-' + channel,
  managed: 'CONFIG',
  health: activeHealth(0),
  readyAt: 0,
  foreign: null,
});

describe('AccountSnapshot', () => {
  it('reuses the list for maxAgeMs, re-reads after it, and re-reads at once when asked for a fresh one', async () => {
    let now = 1_000;
    let stored = [account('1')];
    let reads = 0;
    const snapshot = new AccountSnapshot({ listAccounts: async () => (reads++, stored) }, () => now, 1000);

    expect(await snapshot.get()).toEqual([account('1')]);
    stored = [account('1'), account('2')];
    now += 1000;
    expect(await snapshot.get()).toEqual([account('1')]);
    expect(reads).toBe(1);
    now += 1;
    expect(await snapshot.get()).toEqual(stored);
    expect(reads).toBe(2);

    stored = [account('3')];
    expect(await snapshot.get(true)).toEqual([account('3')]);
    expect(reads).toBe(3);
  });
});
