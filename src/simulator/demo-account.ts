/**
 * The built-in simulator's demo account: the same ids and token at every start, so the embedded
 * default (no DISCORD_ACCOUNTS) keeps one account across restarts in one DATA_DIR, and instances
 * sharing a Redis each run it on their own simulator. Not a secret: it exists only in a simulator.
 */
import type { SimulatedAccount } from './types.js';

const USER_ID = '1100000000000000001';

export const DEMO_ACCOUNT: Required<Pick<SimulatedAccount, 'token' | 'guildId' | 'channelId' | 'userId'>> = {
  userId: USER_ID,
  guildId: '1100000000000000002',
  channelId: '1100000000000000003',
  token: `${Buffer.from(USER_ID).toString('base64url')}.ZGVtbw.simulated-demo-account-not-a-secret`,
};
