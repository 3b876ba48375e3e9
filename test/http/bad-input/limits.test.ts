/**
 * The per-token limits (./cases/limits.ts, RL-nn and WL-nn) on two instances sharing one Redis and
 * one on the embedded store, each with small limits; and the 95 MB unauthenticated websocket frame
 * on a server process, whose RSS must not grow by more than 64 MB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServerProcess } from '../../helpers/server-process.js';
import { startStack } from '../../helpers/stack.js';
import { expectOutcome } from './audit.js';
import { LIMIT_AUDITS, limitsTarget, RATE_LIMIT, TOKEN_A, TOKEN_B, TOKEN_C } from './cases/limits.js';

const REDIS_PREFIX = `picsi-limits-${process.pid}-${Date.now()}:`;
const LIMITS = {
  API_TOKENS: [TOKEN_A, TOKEN_B, TOKEN_C].join(','),
  TOKEN_RATE_LIMIT: String(RATE_LIMIT),
  TOKEN_RATE_WINDOW_SECONDS: '60',
  WS_MAX_PENDING_PER_ADDRESS: '4',
  WS_MAX_CONNECTIONS_PER_TOKEN: '3',
  WS_MAX_SUBSCRIPTIONS_PER_TOKEN: '5',
};

beforeAll(async () => {
  const redis = { ...LIMITS, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX };
  limitsTarget.first = await startStack({ env: redis });
  limitsTarget.second = await startStack({ env: redis, simulator: limitsTarget.first.simulator, accounts: limitsTarget.first.accounts });
  limitsTarget.embedded = await startStack({ env: { ...LIMITS, TOKEN_RATE_LIMIT: String(RATE_LIMIT) } });
});
afterAll(async () => {
  await limitsTarget.second?.stop();
  await limitsTarget.first?.stop();
  await limitsTarget.embedded?.stop();
});

describe('bad-input corpus: per-token limits', () => {
  for (const audit of LIMIT_AUDITS) {
    it(`${audit.id} ${audit.level} [${audit.group}] ${audit.name}`, async () => expectOutcome(audit, await audit.run()));
  }
});

const FRAME_BYTES = 95 * 1024 * 1024;
const FRAMES = 8;

describe('bad-input corpus: WL-05 MUST [websocket-limits] eight unauthenticated 95 MB frames', () => {
  it(`WL-05 MUST each is closed 1009 and the server's RSS grows by less than 64 MB`, async () => {
    const server = await startServerProcess({ API_TOKENS: TOKEN_A });
    try {
      const frame = Buffer.alloc(FRAME_BYTES, 0x20);
      const before = server.rssBytes();
      const codes: number[] = [];
      let peak = before;
      for (let i = 0; i < FRAMES; i++) {
        const ws = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
        await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
        const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
        ws.on('error', () => {}); // the server closes while the frame is still being written
        ws.send(frame);
        codes.push(await closed);
        peak = Math.max(peak, server.rssBytes());
      }
      const growth = peak - before;
      console.log(
        `WL-05: ${FRAMES} × 95 MB frames: closes ${codes.join(',')}; server RSS ${Math.round(before / 2 ** 20)} MB → peak ${Math.round(peak / 2 ** 20)} MB (+${Math.round(growth / 2 ** 20)} MB)`,
      );
      expect(codes).toEqual(Array.from({ length: FRAMES }, () => 1009));
      expect(growth).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await server.kill();
    }
  }, 120_000);
});
