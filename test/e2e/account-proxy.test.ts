/**
 * A proxy per account, through real proxy processes on loopback (./proxy-processes.ts): every
 * connection of the proxied account — REST calls, attachment uploads, the gateway websocket and the
 * download of its results — reaches the simulator from the proxy's address, the other account's
 * from the server's own; the proxy's password is never shown. A dead proxy puts the account in
 * NEEDS_PERSON (PROXY_UNREACHABLE) and its jobs run on the other account.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordSimulator, type RecordedRequest, type SimulatedAccount } from '../../src/simulator/index.js';
import { makePng } from '../helpers/images.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { account, accounts, runPicsi } from './account-helpers.js';
import { startProxy, type ProxyProcess } from './proxy-processes.js';

let png: Buffer;
let simulator: DiscordSimulator | undefined;
let stack: Stack | undefined;
let proxy: ProxyProcess | undefined;
beforeAll(async () => {
  png = await makePng(32, 32);
});
afterEach(async () => {
  await stack?.stop();
  await proxy?.kill();
  await simulator?.close();
  [stack, proxy, simulator] = [undefined, undefined, undefined];
});

/** Account `a` behind a proxy of `kind` whose connections come from `address`, `b` direct. */
async function start(kind: 'http' | 'socks5', address: string) {
  proxy = await startProxy(kind, address);
  simulator = await DiscordSimulator.start({ botDelayMs: 0 });
  const [a, b] = [simulator.createAccount(), simulator.createAccount()];
  const entry = (x: SimulatedAccount) => ({ channel: x.channelId, server: x.guildId, discord: x.token });
  stack = await startStack({
    simulator,
    accounts: [a, b],
    env: { DISCORD_ACCOUNTS: JSON.stringify([{ ...entry(a), proxy: proxy.url }, entry(b)]) },
  });
  return { stack, simulator, proxy, a, b };
}

/** What the simulator attributes to an account: requests by its token's user or on its channel. */
const requestsOf = (all: readonly RecordedRequest[], x: SimulatedAccount) =>
  all.filter((r) => r.userId === x.userId || r.channelId === x.channelId);
const kinds = (requests: RecordedRequest[]) =>
  new Set(requests.map((r) => `${r.method} /${r.path.replace(/^\/api\/v9/, '').split('/')[1] ?? ''}`));

describe.each([
  ['http', '127.0.0.2'],
  ['socks5', '127.0.0.3'],
] as const)('an account behind a %s proxy', (kind, address) => {
  it('sends every connection of that account through the proxy, and only that account’s', async () => {
    const { stack, simulator, proxy, a, b } = await start(kind, address);
    for (const x of [a, b, a, b])
      expect(await runPicsi(stack.url, png, x.channelId)).toMatchObject({ status: 'COMPLETED', channel: x.channelId });

    const ofA = requestsOf(simulator.requests, a);
    const ofB = requestsOf(simulator.requests, b);
    // REST calls, both uploads, the command and the result downloads of `a`: all from the proxy.
    expect(kinds(ofA)).toEqual(new Set(['GET /guilds', 'POST /channels', 'PUT /upload', 'POST /interactions', 'GET /attachments']));
    expect(new Set(ofA.map((r) => r.remoteAddress))).toEqual(new Set([address]));
    expect(kinds(ofB)).toEqual(kinds(ofA));
    expect(new Set(ofB.map((r) => r.remoteAddress))).toEqual(new Set(['127.0.0.1']));
    // The gateway websocket too.
    const sessions = simulator.gatewayIdentifications;
    expect(new Set(sessions.filter((s) => s.userId === a.userId).map((s) => s.remoteAddress))).toEqual(new Set([address]));
    expect(new Set(sessions.filter((s) => s.userId === b.userId).map((s) => s.remoteAddress))).toEqual(new Set(['127.0.0.1']));
    expect(proxy.tunnels.length).toBeGreaterThan(0);

    const shown = await accounts(stack.url);
    expect(shown.find((x) => x.channel === a.channelId)?.proxy).toBe(proxy.url.replace(':pr0xy-s3cret@', ':***@'));
    expect(shown.find((x) => x.channel === b.channelId)?.proxy).toBeNull();
    expect(JSON.stringify(shown)).not.toContain('pr0xy-s3cret');
  });

  it('a dead proxy holds the account (PROXY_UNREACHABLE) and moves its jobs to the other one', async () => {
    const { stack, proxy, a, b } = await start(kind, address);
    expect(await runPicsi(stack.url, png, a.channelId)).toMatchObject({ status: 'COMPLETED' });
    await proxy.kill();
    const jobs = await Promise.all(Array.from({ length: 4 }, () => runPicsi(stack.url, png)));
    for (const job of jobs) expect(job).toMatchObject({ status: 'COMPLETED', channel: b.channelId });
    const held = await account(stack.url, a.channelId);
    expect(held).toMatchObject({ enabled: false, health: { state: 'NEEDS_PERSON', reason: 'PROXY_UNREACHABLE' } });
    expect(JSON.parse(held.health.evidence!)).toMatchObject({ proxy: proxy.url.replace(':pr0xy-s3cret@', ':***@'), error: 'ECONNREFUSED' });
    expect(held.health.evidence).not.toContain('pr0xy-s3cret');
  });
});
