import WebSocket from 'ws';
import { GatewayOpcodes } from 'discord-api-types/v10';
import type { UserReadyData } from '../../src/simulator/index.js';

/** IDENTIFY `d` of a user client: a token, a capabilities bitfield, no intents. */
interface UserIdentify {
  token: string;
  capabilities: number;
  properties: { os: string; browser: string; device: string };
  compress: false;
}
/** The web client's capabilities bitfield; the simulator accepts any value. */
const CAPABILITIES = 16381;

/** A gateway frame as received; `d` is left unknown for the test to narrow. */
export interface Frame {
  op: GatewayOpcodes;
  t: string | null;
  s: number | null;
  d: unknown;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * A minimal user-account gateway client speaking raw frames, for tests. Keeps every frame it
 * received so `waitFor` also finds frames that arrived before it was called.
 */
export class RawGateway {
  readonly frames: Frame[] = [];
  readonly closed: Promise<CloseInfo>;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake();
      });
    });
    ws.on('message', (data) => {
      // ws's default binaryType ('nodebuffer'): a frame arrives as one Buffer
      this.frames.push(JSON.parse((data as Buffer).toString('utf8')) as Frame);
      this.wake();
    });
  }

  /** Opens a socket and waits for HELLO. */
  static async connect(url: string, query = '?v=9&encoding=json'): Promise<RawGateway> {
    const ws = new WebSocket(`${url}${query}`);
    const client = new RawGateway(ws);
    await client.waitFor((f) => f.op === GatewayOpcodes.Hello);
    return client;
  }

  /** Sequence number of the last dispatch received (what heartbeats and RESUME carry). */
  get lastSeq(): number | null {
    const seqs = this.frames.map((f) => f.s).filter((s): s is number => typeof s === 'number');
    return seqs.length === 0 ? null : Math.max(...seqs);
  }

  send(frame: { op: number; d: unknown }): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** IDENTIFY the way a user client does, and wait for READY. */
  async identify(token: string): Promise<UserReadyData> {
    const d: UserIdentify = {
      token,
      capabilities: CAPABILITIES,
      properties: { os: 'Linux', browser: 'Chrome', device: '' },
      compress: false,
    };
    this.send({ op: GatewayOpcodes.Identify, d });
    const ready = await this.waitForDispatch('READY');
    return ready.d as UserReadyData;
  }

  waitForDispatch(t: string, match: (d: Record<string, unknown>) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    return this.waitFor((f) => f.op === GatewayOpcodes.Dispatch && f.t === t && match(f.d as Record<string, unknown>), timeoutMs);
  }

  dispatches(t: string): Frame[] {
    return this.frames.filter((f) => f.op === GatewayOpcodes.Dispatch && f.t === t);
  }

  waitFor(predicate: (frame: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.frames.find(predicate);
        if (found) {
          finish();
          resolve(found);
          return true;
        }
        if (this.ws.readyState === WebSocket.CLOSED) {
          finish();
          reject(new Error(`socket closed while waiting; frames: ${this.describe()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for a frame; frames: ${this.describe()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => {
        check();
      };
      this.waiters.add(waiter);
      check();
    });
  }

  close(code = 1000): Promise<CloseInfo> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code);
    return this.closed;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private describe(): string {
    return this.frames.map((f) => (f.t ? `${f.t}#${String(f.s)}` : `op${f.op}`)).join(', ');
  }
}
