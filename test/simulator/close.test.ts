import { GatewayCloseCodes } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { loginUser, startPicsi, startSimulator } from '../helpers/sim-session.js';

const count = (kind: string): number => process.getActiveResourcesInfo().filter((r) => r === kind).length;

describe('close()', () => {
  it('closes every socket, the server and all timers, even with jobs in flight', async () => {
    const servers = count('TCPServerWrap');
    const sim = await startSimulator({ heartbeatIntervalMs: 60_000 });
    expect(count('TCPServerWrap')).toBe(servers + 1);
    const user = await loginUser(sim);
    sim.setBotDelay(60_000);
    const first = await startPicsi(user);
    sim.script(user.account.channelId, { kind: 'silence', holdMs: 60_000 });
    const second = await startPicsi(user);
    // In flight from the 204 on; both bots sleep once their placeholder is out.
    expect(sim.stats(user.account.channelId).inFlight).toBe(2);
    await Promise.all(
      [first, second].map(async ({ nonce }) => {
        const created = await user.gateway.waitForDispatch('INTERACTION_CREATE', (d) => d.nonce === nonce);
        const id = (created.d as { id: string }).id;
        await user.gateway.waitForDispatch('MESSAGE_CREATE', (d) => (d.interaction_metadata as { id?: string } | undefined)?.id === id);
      }),
    );
    const timersBefore = count('Timeout');

    await sim.close();

    const closed = await user.gateway.closed;
    expect(closed.code).toBe(1006); // terminated, no close frame: like a dropped connection
    expect(closed.code).not.toBe(GatewayCloseCodes.UnknownError);
    // libuv releases the listening handle one turn of the event loop after the 'close' callback.
    await new Promise((resolve) => setImmediate(resolve));
    expect(count('TCPServerWrap')).toBe(servers);
    // Two bot sleeps and the connection's heartbeat deadline were pending; all are cleared.
    expect(count('Timeout')).toBeLessThanOrEqual(timersBefore - 3);
    await expect(fetch(`${sim.apiUrl}/v9/gateway`)).rejects.toThrow();
    await sim.close(); // idempotent
  });
});
