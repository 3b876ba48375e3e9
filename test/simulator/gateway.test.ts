import { GatewayCloseCodes, GatewayOpcodes } from 'discord-api-types/v10';
import { describe, expect, vi } from 'vitest';
import WebSocket from 'ws';
import { RawGateway } from '../helpers/raw-gateway.js';
import { simTest } from '../helpers/sim-fixture.js';
import { finalReply, loginUser, startPicsi } from '../helpers/sim-session.js';

describe('gateway protocol', () => {
  simTest.override({ simOptions: { heartbeatIntervalMs: 200 } });

  simTest('GET /gateway points at the websocket', async ({ sim }) => {
    const res = await fetch(`${sim.apiUrl}/v9/gateway`);
    expect(await res.json()).toEqual({ url: sim.gatewayUrl });
  });

  simTest('HELLO carries the configured interval; heartbeats are ACKed, before and after IDENTIFY', async ({ sim }) => {
    const gw = await RawGateway.connect(sim.gatewayUrl);
    expect(gw.frames[0]).toEqual({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: 200 }, t: null, s: null });
    gw.send({ op: GatewayOpcodes.Heartbeat, d: null });
    await gw.waitFor((f) => f.op === GatewayOpcodes.HeartbeatAck);
    await gw.identify(sim.createAccount().token);
    gw.send({ op: GatewayOpcodes.Heartbeat, d: gw.lastSeq });
    await gw.waitFor(() => gw.frames.filter((f) => f.op === GatewayOpcodes.HeartbeatAck).length === 2);
    await gw.close();
  });

  simTest('a client that stops heartbeating is disconnected after 1.5 intervals plus a second of grace', async ({ sim }) => {
    // Only the timers are faked: sockets stay real. The deadline is armed when the socket opens.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const gw = await RawGateway.connect(sim.gatewayUrl);
      await vi.advanceTimersByTimeAsync(200 * 1.5 + 1000 - 10);
      expect(gw.isOpen).toBe(true);
      await vi.advanceTimersByTimeAsync(10);
      vi.useRealTimers();
      expect((await gw.closed).code).toBe(GatewayCloseCodes.SessionTimedOut);
    } finally {
      vi.useRealTimers();
    }
  });

  simTest.for([
    ['bad token', { op: GatewayOpcodes.Identify, d: { token: 'nope', properties: {} } }, GatewayCloseCodes.AuthenticationFailed],
    ['op before identify', { op: GatewayOpcodes.PresenceUpdate, d: {} }, GatewayCloseCodes.NotAuthenticated],
  ] as const)('closes on %s', async ([, frame, code], { sim }) => {
    const gw = await RawGateway.connect(sim.gatewayUrl);
    gw.send(frame);
    expect((await gw.closed).code).toBe(code);
  });

  simTest('closes on undecodable frames, double IDENTIFY and unsupported versions', async ({ sim }) => {
    const garbage = await RawGateway.connect(sim.gatewayUrl);
    (garbage as unknown as { ws: { send(s: string): void } }).ws.send('{{');
    expect((await garbage.closed).code).toBe(GatewayCloseCodes.DecodeError);

    const twice = await RawGateway.connect(sim.gatewayUrl);
    const token = sim.createAccount().token;
    await twice.identify(token);
    twice.send({ op: GatewayOpcodes.Identify, d: { token } });
    expect((await twice.closed).code).toBe(GatewayCloseCodes.AlreadyAuthenticated);

    const closeCode = (query: string): Promise<number> =>
      new Promise((resolve) => new WebSocket(`${sim.gatewayUrl}${query}`).on('close', (code) => resolve(code)));
    expect(await closeCode('?v=6&encoding=json')).toBe(GatewayCloseCodes.InvalidAPIVersion);
    expect(await closeCode('?v=10&encoding=etf')).toBe(GatewayCloseCodes.DecodeError);
    expect(sim.requests.some((r) => r.path === '/gateway' && r.status === 101)).toBe(true);
  });

  simTest('accepts compress=zlib-stream but sends plain JSON text frames', async ({ sim }) => {
    const gw = await RawGateway.connect(sim.gatewayUrl, '?v=10&encoding=json&compress=zlib-stream');
    const ready = await gw.identify(sim.createAccount().token);
    expect(ready.session_id).toMatch(/^[0-9a-f]{32}$/);
    await gw.close();
  });

  simTest('RESUME replays missed dispatches in order, then RESUMED', async ({ sim }) => {
    const user = await loginUser(sim);
    const seqBefore = user.gateway.lastSeq ?? 0;
    sim.dropSessions(user.account.token);
    expect((await user.gateway.closed).code).toBe(GatewayCloseCodes.UnknownError);

    // A job runs while the user is disconnected: every event is buffered on the session.
    const sessionProbe = await loginUser(sim, user.account);
    const { nonce } = await startPicsi({ ...sessionProbe, sessionId: user.sessionId });
    await sim.interactionEnded(nonce);

    const resumed = await RawGateway.connect(user.resumeUrl);
    resumed.send({ op: GatewayOpcodes.Resume, d: { token: user.account.token, session_id: user.sessionId, seq: seqBefore } });
    await resumed.waitForDispatch('RESUMED');
    const names = resumed.frames.filter((f) => f.op === GatewayOpcodes.Dispatch).map((f) => f.t);
    expect(names).toEqual(['INTERACTION_CREATE', 'INTERACTION_SUCCESS', 'MESSAGE_CREATE', 'MESSAGE_UPDATE', 'RESUMED']);
    const seqs = resumed.frames.filter((f) => f.op === GatewayOpcodes.Dispatch).map((f) => f.s);
    expect(seqs).toEqual([1, 2, 3, 4, 5].map((n) => seqBefore + n));
    expect((resumed.dispatches('INTERACTION_CREATE')[0]?.d as { nonce: string }).nonce).toBe(nonce);
    await resumed.close();
    await sessionProbe.gateway.close();
  });

  simTest('RESUME with a seq from the future is refused; an unknown session gets op 9', async ({ sim }) => {
    const user = await loginUser(sim);
    sim.dropSessions(user.account.token);
    await user.gateway.closed;
    const future = await RawGateway.connect(user.resumeUrl);
    future.send({ op: GatewayOpcodes.Resume, d: { token: user.account.token, session_id: user.sessionId, seq: 99 } });
    expect((await future.closed).code).toBe(GatewayCloseCodes.InvalidSeq);

    const unknown = await RawGateway.connect(user.resumeUrl);
    unknown.send({ op: GatewayOpcodes.Resume, d: { token: user.account.token, session_id: 'abc', seq: 1 } });
    const invalid = await unknown.waitFor((f) => f.op === GatewayOpcodes.InvalidSession);
    expect(invalid.d).toBe(false);
    // After op 9 the client may IDENTIFY on the same socket.
    expect((await unknown.identify(user.account.token)).session_id).not.toBe(user.sessionId);
    await unknown.close();
  });

  simTest('guild messages reach every session of the guild members; interaction events only the invoking session', async ({ sim }) => {
    const user = await loginUser(sim);
    const second = await loginUser(sim, user.account);
    const { nonce } = await startPicsi(user);
    await finalReply(user, nonce);
    await second.gateway.waitForDispatch('MESSAGE_UPDATE');
    expect(second.gateway.dispatches('INTERACTION_CREATE')).toHaveLength(0);
    expect(second.gateway.dispatches('MESSAGE_CREATE')).toHaveLength(1);
    await second.gateway.close();
  });
});
