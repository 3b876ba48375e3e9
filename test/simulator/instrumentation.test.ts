import { performance } from 'node:perf_hooks';
import { describe, expect } from 'vitest';
import { simTest } from '../helpers/sim-fixture.js';
import { finalReply, loginUser, startPicsi } from '../helpers/sim-session.js';

describe('instrumentation', () => {
  simTest('two overlapping interactions on one channel reach maxInFlight 2', async ({ sim, user, channel }) => {
    sim.setBotDelay(300);
    const jobs = await Promise.all([startPicsi(user), startPicsi(user)]);
    expect(jobs.map((j) => j.response.status)).toEqual([204, 204]);
    expect(sim.stats(channel).inFlight).toBe(2);
    await Promise.all(jobs.map((j) => finalReply(user, j.nonce)));
    expect(sim.stats(channel)).toEqual({ inFlight: 0, maxInFlight: 2, interactions: 2, completed: 2 });
  });

  simTest('sequential interactions stay at maxInFlight 1', async ({ sim, user, channel }) => {
    for (let i = 0; i < 3; i += 1) {
      const { nonce } = await startPicsi(user);
      await finalReply(user, nonce);
    }
    expect(sim.stats(channel)).toEqual({ inFlight: 0, maxInFlight: 1, interactions: 3, completed: 3 });
  });

  simTest('counts per channel', async ({ sim, user, channel }) => {
    sim.setBotDelay(200);
    const other = await loginUser(sim);
    const jobs = await Promise.all([startPicsi(user), startPicsi(other)]);
    await Promise.all([finalReply(user, jobs[0].nonce), finalReply(other, jobs[1].nonce)]);
    expect(sim.stats(channel).maxInFlight).toBe(1);
    expect(sim.stats(other.account.channelId).maxInFlight).toBe(1);
  });

  simTest('logs every request and every interaction with performance.now() times', async ({ sim, user, channel }) => {
    const t0 = performance.now();
    const { nonce } = await startPicsi(user);
    const reply = await finalReply(user, nonce);
    const t1 = performance.now();

    const paths = sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(paths).toContain('GET /gateway 101');
    expect(paths).toContain(`GET /api/v9/guilds/${user.account.guildId}/application-command-index 200`);
    expect(paths).toContain(`POST /api/v9/channels/${channel}/attachments 200`);
    const invoke = sim.requests.find((r) => r.path === '/api/v9/interactions');
    expect(invoke).toMatchObject({ method: 'POST', status: 204, channelId: channel });
    expect(invoke?.at).toBeGreaterThanOrEqual(t0);
    expect(invoke?.at).toBeLessThanOrEqual(t1);
    expect(sim.requests.filter((r) => r.method === 'PUT')).toHaveLength(2);

    const [entry] = sim.interactionsLog(channel);
    expect(entry).toMatchObject({ channelId: channel, nonce, interactionId: reply.interaction_metadata?.id, outcome: 'result' });
    expect(entry?.endedAt).toBeGreaterThanOrEqual(entry?.at ?? Infinity);
    expect(sim.interactionsLog('another-channel')).toEqual([]);
  });

  simTest('resetStats clears counters and logs', async ({ sim, user, channel }) => {
    const { nonce } = await startPicsi(user);
    await finalReply(user, nonce);
    sim.resetStats();
    expect(sim.stats(channel)).toEqual({ inFlight: 0, maxInFlight: 0, interactions: 0, completed: 0 });
    expect(sim.requests).toHaveLength(0);
    expect(sim.interactionsLog()).toHaveLength(0);
  });
});
