/**
 * An HTTP proxy in front of the simulator's REST API that can spoil the answer of POST
 * /interactions after the request reached Discord (the bot runs): a 5xx, a dropped connection, or a
 * 2xx whose body does not parse; or hold attachment-slot requests unanswered (a job stuck before
 * anything was sent). Everything else passes through. Point DISCORD_API_URL at `apiUrl`.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type InteractionAnswer = 'pass' | 'status-502' | 'drop' | 'garbled-2xx';

export interface InteractionsProxy {
  apiUrl: string;
  /** The next POST /interactions answers (after reaching the simulator) are spoiled this way, in order. */
  spoil(...answers: InteractionAnswer[]): void;
  /** From now on, POST /channels/{id}/attachments is never answered (nor forwarded). */
  holdAttachmentSlots(): void;
  /** POST /attachments requests held so far. */
  readonly held: number;
  /** POST /interactions requests forwarded so far. */
  readonly forwarded: number;
  close(): Promise<void>;
}

export async function startInteractionsProxy(targetApiUrl: string): Promise<InteractionsProxy> {
  const target = new URL(targetApiUrl);
  const plan: InteractionAnswer[] = [];
  let forwarded = 0;
  let holding = false;
  let held = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (holding && req.method === 'POST' && /\/channels\/\d+\/attachments$/.test(req.url ?? '')) {
      held++;
      return;
    }
    const isInvoke = req.method === 'POST' && /\/interactions$/.test(req.url ?? '');
    const answer = isInvoke ? (plan.shift() ?? 'pass') : 'pass';
    if (isInvoke) forwarded++;
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        if (answer === 'pass') {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        up.resume();
        up.once('end', () => {
          if (answer === 'drop') req.socket.destroy();
          else if (answer === 'status-502') res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>');
          else res.writeHead(200, { 'content-type': 'application/json' }).end('{"not json');
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}${target.pathname}`,
    spoil: (...answers) => plan.push(...answers),
    holdAttachmentSlots: () => void (holding = true),
    get held() {
      return held;
    },
    get forwarded() {
      return forwarded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
