/**
 * The user gateway client against a scripted raw-frame server: the parts of the protocol the
 * simulator does not misbehave on (lost ACKs, op 7, op 9, fatal closes, garbage frames).
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { identifyPayload } from '../../src/discord/client-identity.js';
import { GatewayOpcodes, USER_GATEWAY_CAPABILITIES } from '../../src/discord/protocol.js';
import { GatewayFatalError, UserGateway } from '../../src/discord/user-gateway.js';
import type { SessionEvent } from '../../src/discord/user-gateway.js';
import { until } from './harness.js';

interface Frame {
  op: GatewayOpcodes;
  d: unknown;
}

interface Conn {
  path: string;
  ws: WebSocket;
  frames: Frame[];
  at: number;
}

/** A gateway that speaks raw frames; `onFrame` scripts how it answers. */
class FakeGateway {
  readonly conns: Conn[] = [];
  ack = true;
  heartbeatInterval = 200;
  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeGateway> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    const fake = new FakeGateway(wss, `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    wss.on('connection', (ws, req) => {
      const conn: Conn = { path: new URL(req.url ?? '/', 'http://x').pathname, ws, frames: [], at: Date.now() };
      fake.conns.push(conn);
      ws.send(JSON.stringify({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: fake.heartbeatInterval }, s: null, t: null }));
      ws.on('message', (raw) => {
        // ws's default binaryType ('nodebuffer'): a frame arrives as one Buffer
        const frame = JSON.parse((raw as Buffer).toString('utf8')) as Frame;
        conn.frames.push(frame);
        if (frame.op === GatewayOpcodes.Heartbeat && fake.ack) ws.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck }));
        if (frame.op === GatewayOpcodes.Identify)
          fake.dispatch(
            conn,
            'READY',
            { session_id: `s${fake.conns.length}`, resume_gateway_url: `${fake.url}/resume`, user: { id: '42' } },
            1,
          );
        if (frame.op === GatewayOpcodes.Resume) fake.dispatch(conn, 'RESUMED', {}, ((frame.d as { seq: number }).seq ?? 0) + 1);
      });
    });
    return fake;
  }

  dispatch(conn: Conn, t: string, d: unknown, s: number): void {
    conn.ws.send(JSON.stringify({ op: GatewayOpcodes.Dispatch, t, s, d }));
  }

  last(): Conn {
    const conn = this.conns.at(-1);
    if (!conn) throw new Error('no connection');
    return conn;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise((r) => this.wss.close(r));
  }
}

let fake: FakeGateway;
let gateway: UserGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await fake.close();
});

function client(random = 0.5): { gateway: UserGateway; sessions: SessionEvent[]; dispatches: string[]; reconnects: () => number } {
  const sessions: SessionEvent[] = [];
  const dispatches: string[] = [];
  let reconnects = 0;
  gateway = new UserGateway({
    onReconnect: () => reconnects++,
    identify: identifyPayload('user-token-123456'),
    resolveUrl: () => Promise.resolve(`${fake.url}/gateway`),
    logger: pino({ level: 'silent' }),
    random: () => random,
    reconnect: { initialMs: 20, maxMs: 100 },
    invalidSessionDelayMs: { min: 10, max: 20 },
  });
  gateway.subscribe({ session: (e) => sessions.push(e), dispatch: (t) => dispatches.push(t) });
  return { gateway, sessions, dispatches, reconnects: () => reconnects };
}

const never = (): AbortSignal => new AbortController().signal;

describe('user gateway', () => {
  it('identifies as a user (no intents), then heartbeats with jitter and the last sequence', async () => {
    fake = await FakeGateway.start();
    fake.heartbeatInterval = 10_000;
    const { gateway: g } = client(0.02);
    expect(await g.waitReady(never())).toBe('s1');
    const readyAt = Date.now();
    const conn = fake.last();
    expect(conn.path).toBe('/gateway');
    const identify = conn.frames.find((f) => f.op === GatewayOpcodes.Identify)?.d as Record<string, unknown>;
    expect(identify).toMatchObject({ token: 'user-token-123456', capabilities: USER_GATEWAY_CAPABILITIES, compress: false });
    expect(identify).not.toHaveProperty('intents');
    expect(identify.properties).toMatchObject({ os: expect.any(String) as unknown, browser: expect.any(String) as unknown });
    expect(identify.presence).toBeDefined();
    fake.dispatch(conn, 'MESSAGE_CREATE', {}, 7);
    await until(() => conn.frames.some((f) => f.op === GatewayOpcodes.Heartbeat));
    const first = conn.frames.find((f) => f.op === GatewayOpcodes.Heartbeat);
    // random 0.02 → the first beat comes 200 ms after HELLO (just before READY), with the last seq; without
    // the jitter it would wait the whole 10 s interval, past `until`'s 5 s.
    expect(Date.now() - readyAt).toBeGreaterThanOrEqual(140);
    expect(first?.d).toBe(7);
    expect(g.ready).toBe(true);
  });

  it('answers a heartbeat request (op 1) at once', async () => {
    fake = await FakeGateway.start();
    fake.heartbeatInterval = 60_000;
    const { gateway: g } = client(0.99);
    await g.waitReady(never());
    fake.last().ws.send(JSON.stringify({ op: GatewayOpcodes.Heartbeat, d: null }));
    await until(() => fake.last().frames.some((f) => f.op === GatewayOpcodes.Heartbeat), 500);
  });

  it('a zombie connection (no ACK) is dropped and RESUMEd at resume_gateway_url with session and seq', async () => {
    fake = await FakeGateway.start();
    fake.ack = false;
    fake.heartbeatInterval = 50;
    const { gateway: g, sessions } = client(0.1);
    await g.waitReady(never());
    fake.dispatch(fake.last(), 'MESSAGE_CREATE', {}, 3);
    await until(() => fake.conns.length === 2, 2000);
    fake.ack = true;
    await until(() => sessions.length === 2);
    const resumed = fake.last();
    expect(resumed.path).toBe('/resume');
    expect(resumed.frames.find((f) => f.op === GatewayOpcodes.Resume)?.d).toEqual({ token: 'user-token-123456', session_id: 's1', seq: 3 });
    expect(sessions.map((s) => s.kind)).toEqual(['ready', 'resumed']);
  });

  it('op 7 RECONNECT → resume; op 9 resumable → resume; op 9 not resumable → fresh IDENTIFY', async () => {
    fake = await FakeGateway.start();
    fake.heartbeatInterval = 60_000;
    const { gateway: g, sessions, reconnects } = client();
    await g.waitReady(never());
    expect(reconnects()).toBe(0);
    fake.last().ws.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
    await until(() => sessions.length === 2);
    expect(fake.last().frames.map((f) => f.op)).toContain(GatewayOpcodes.Resume);

    fake.last().ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: true }));
    await until(() => sessions.length === 3);
    expect(fake.last().path).toBe('/resume');

    fake.last().ws.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
    await until(() => sessions.length === 4);
    expect(fake.last().path).toBe('/gateway');
    expect(fake.last().frames.map((f) => f.op)).toContain(GatewayOpcodes.Identify);
    expect(sessions.map((s) => s.kind)).toEqual(['ready', 'resumed', 'resumed', 'ready']);
    expect(g.currentSessionId).toBe(`s${fake.conns.length}`);
    // One reconnect per drop, reported for metrics.
    expect(reconnects()).toBe(3);
  });

  it('close 4009 (session timed out) → IDENTIFY, not RESUME; close 4000 → RESUME', async () => {
    fake = await FakeGateway.start();
    fake.heartbeatInterval = 60_000;
    const { gateway: g, sessions } = client();
    await g.waitReady(never());
    fake.last().ws.close(4000, 'unknown error');
    await until(() => sessions.length === 2);
    expect(sessions[1]?.kind).toBe('resumed');
    fake.last().ws.close(4009, 'session timed out');
    await until(() => sessions.length === 3);
    expect(sessions[2]?.kind).toBe('ready');
    expect(fake.last().path).toBe('/gateway');
  });

  it('close 4004 is fatal: waiters reject with an unauthorized GatewayFatalError, no reconnect', async () => {
    fake = await FakeGateway.start();
    const { gateway: g, reconnects } = client();
    await g.waitReady(never());
    fake.last().ws.close(4004, 'Authentication failed.');
    await until(() => g.state === 'failed');
    const error = await g.waitReady(never()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayFatalError);
    expect((error as GatewayFatalError).unauthorized).toBe(true);
    expect(fake.conns).toHaveLength(1);
    expect(reconnects()).toBe(0); // fatal: no reconnect is scheduled (it would be counted when scheduled)
  });

  it('survives undecodable frames and refused connections, retrying with backoff', async () => {
    fake = await FakeGateway.start();
    fake.heartbeatInterval = 60_000;
    const { gateway: g, reconnects } = client();
    await g.waitReady(never());
    fake.last().ws.send('not json{');
    fake.last().ws.send(Buffer.from([0xff, 0x00]));
    expect(g.ready).toBe(true);
    // The server goes away: the client keeps trying without throwing.
    await fake.close();
    await until(() => g.state === 'reconnecting');
    await until(() => reconnects() >= 3); // several refused connections in a row, survived
    expect(g.state).toBe('reconnecting');
    const controller = new AbortController();
    const waiting = g.waitReady(controller.signal);
    await until(() => g.waiterCount === 1);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect(g.waiterCount).toBe(0);
    fake = await FakeGateway.start(); // for afterEach
  });
});
