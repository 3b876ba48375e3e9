/**
 * The simulator tests' shared setup as vitest fixtures: a fresh simulator per test (bot delay 0),
 * and, for tests that ask for it, a user logged in on the gateway with a raw client. Fixtures are
 * lazy: a test that only takes `sim` gets no user session. Override the options per suite with
 * `simTest.override({ simOptions: { … } })`.
 */
import { test } from 'vitest';
import type { DiscordSimulator, SimulatorOptions } from '../../src/simulator/index.js';
import type { UserSession } from './sim-session.js';
import { loginUser, startSimulator } from './sim-session.js';

export interface SimFixtures {
  simOptions: SimulatorOptions;
  sim: DiscordSimulator;
  user: UserSession;
  /** The user's channel. */
  channel: string;
}

export const simTest = test.extend<SimFixtures>({
  simOptions: {},
  sim: async ({ simOptions }, use) => {
    const sim = await startSimulator(simOptions);
    await use(sim);
    await sim.close();
  },
  user: async ({ sim }, use) => {
    await use(await loginUser(sim));
  },
  channel: async ({ user }, use) => {
    await use(user.account.channelId);
  },
});
