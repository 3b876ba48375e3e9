/**
 * The per-token rate limit, measured (`npx tsx bench/rate-limit.ts`): token B's `{ __typename }`
 * latency at 40 requests/s (within its own limit) while token A floods the server with the same query from 16 connections,
 * on a server process with Redis; once with TOKEN_RATE_LIMIT=0 (A fully served) and once with the
 * default limit (A refused with 429 past it). Prints B's p50/p99 alone and under each flood, and
 * what A got.
 */
import autocannon from 'autocannon';
import { DiscordSimulator } from '../src/simulator/index.js';
import { startChild } from './child.js';
import { cleanupRedis, newPrefix, round } from './common.js';
import { percentile } from './stats.js';

const TOKEN_A = 'bench-rate-token-a';
const TOKEN_B = 'bench-rate-token-b';
const SECONDS = Number(process.env['BENCH_RATE_SECONDS'] ?? 8);
const BODY = JSON.stringify({ query: '{ __typename }' });
const HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

/** B's pace: 40 requests/s, within its own limit (600 per 10 s). */
const B_INTERVAL_MS = 25;

/** B's latencies (ms) for `ms` milliseconds, one request every B_INTERVAL_MS. */
async function latenciesOf(url: string, ms: number): Promise<number[]> {
  const samples: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const start = performance.now();
    const next = start + B_INTERVAL_MS;
    const res = await fetch(url, { method: 'POST', headers: { ...HEADERS, authorization: `Bearer ${TOKEN_B}` }, body: BODY });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`token B got ${res.status}`);
    samples.push(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  return samples;
}

const summary = (samples: number[]) =>
  `p50 ${round(percentile(samples, 50), 2)} ms, p99 ${round(percentile(samples, 99), 2)} ms (${samples.length} requests)`;

async function measure(limit: string): Promise<void> {
  const prefix = newPrefix('rate');
  const simulator = await DiscordSimulator.start({ botDelayMs: 0 });
  const server = await startChild(prefix, simulator, [simulator.createAccount()], {
    API_TOKENS: `${TOKEN_A},${TOKEN_B}`,
    TOKEN_RATE_LIMIT: limit,
  });
  try {
    await latenciesOf(server.url, 1000); // warm-up
    const alone = await latenciesOf(server.url, SECONDS * 1000);
    const flood = autocannon({
      url: server.url,
      method: 'POST',
      connections: 16,
      duration: SECONDS + 1,
      headers: { ...HEADERS, authorization: `Bearer ${TOKEN_A}` },
      body: BODY,
    });
    const underFlood = await latenciesOf(server.url, SECONDS * 1000);
    const a = await flood;
    const statuses = Object.entries(a.statusCodeStats ?? {})
      .map(([code, { count }]) => `${code}: ${count}`)
      .join(', ');
    console.log(
      [
        `TOKEN_RATE_LIMIT=${limit}`,
        `  B alone:           ${summary(alone)}`,
        `  B while A floods:  ${summary(underFlood)}`,
        `  A: ${round(a.requests.average, 0)} requests/s answered (${statuses})`,
      ].join('\n'),
    );
  } finally {
    await server.kill();
    await simulator.close();
    await cleanupRedis(prefix);
  }
}

await measure('0');
await measure('600');
