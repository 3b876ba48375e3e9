import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { GatewayCloseCodes } from 'discord-api-types/v10';
import type { GatewayIdentification, RecordedRequest } from '../types.js';
import { SUPPORTED_GATEWAY_VERSIONS } from '../wire.js';
import { handleConnection } from './connection.js';
import type { ConnectionDeps } from './connection.js';

export const GATEWAY_PATH = '/gateway';
/** Where `resume_gateway_url` points, distinct from the initial URL like on Discord. */
export const RESUME_PATH = '/gateway-resume';

/**
 * Accepts gateway websocket upgrades on GATEWAY_PATH and RESUME_PATH. `?v=` must be 9 or 10,
 * `encoding` json. `compress=zlib-stream` is accepted but frames are sent uncompressed as text:
 * clients (discord.js included) only inflate binary frames, so they read these as plain JSON.
 */
export class GatewayServer {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  constructor(
    private readonly deps: ConnectionDeps,
    private readonly record: (entry: Omit<RecordedRequest, 'at'>) => void,
    private readonly identified: (session: GatewayIdentification) => void,
  ) {}

  /** Handles the upgrade if the path is a gateway path; returns false otherwise. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== GATEWAY_PATH && path !== RESUME_PATH) return false;
    const remote = req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {};
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.record({ method: 'GET', path: url.pathname, status: 101, ...remote });
      const problem = queryProblem(url.searchParams);
      if (problem) {
        ws.close(problem.code, problem.reason);
        return;
      }
      handleConnection(ws, this.deps, (userId) => this.identified({ userId, ...remote }));
    });
    return true;
  }

  get clients(): ReadonlySet<WebSocket> {
    return this.wss.clients;
  }

  /** Terminates every socket and stops the server. */
  close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

function queryProblem(query: URLSearchParams): { code: GatewayCloseCodes; reason: string } | undefined {
  const v = query.get('v');
  if (v !== null && !SUPPORTED_GATEWAY_VERSIONS.some((known) => String(known) === v)) {
    return { code: GatewayCloseCodes.InvalidAPIVersion, reason: 'Invalid API version.' };
  }
  const encoding = query.get('encoding');
  if (encoding !== null && encoding !== 'json') {
    return { code: GatewayCloseCodes.DecodeError, reason: 'The simulator speaks encoding=json only.' };
  }
  return undefined;
}
