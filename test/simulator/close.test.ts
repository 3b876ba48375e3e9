import { describe, expect, it } from 'vitest';
import { GatewayCloseCodes } from '../../src/discord/protocol.js';
import { eventually, loginUser, startPicsi, startSimulator } from '../helpers/sim-session.js';

const count = (kind: string): number => process.getActiveResourcesInfo().filter((r) => r === kind).length;

describe('close()', () => {
  it('closes every socket, the server and all timers, even with jobs in flight', async () => {
    const servers = count('TCPServerWrap');
    const sim = await startSimulator({ heartbeatIntervalMs: 60_000 });
    expect(count('TCPServerWrap')).toBe(servers + 1);
    const user = await loginUser(sim);
    sim.setBotDelay(60_000);
    await startPicsi(user);
    sim.script(user.account.channelId, { kind: 'silence', holdMs: 60_000 });
    await startPicsi(user);
    await eventually(() => sim.stats(user.account.channelId).inFlight === 2);
    const timersBefore = count('Timeout');

    await sim.close();

    const closed = await user.gateway.closed;
    expect(closed.code).toBe(1006); // terminated, no close frame: like a dropped connection
    expect(closed.code).not.toBe(GatewayCloseCodes.UnknownError);
    // libuv releases the listening handle a tick after the 'close' callback.
    await eventually(() => count('TCPServerWrap') === servers, 1000);
    // Two bot sleeps and the connection's heartbeat deadline were pending; all are gone.
    await eventually(() => count('Timeout') <= timersBefore - 3);
    await expect(fetch(`${sim.apiUrl}/v9/gateway`)).rejects.toThrow();
    await sim.close(); // idempotent
  });
});
