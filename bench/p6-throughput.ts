/**
 * P6 `job(id)` query throughput on our server process vs. a bare graphql-yoga hello-world process,
 * same autocannon settings, in the same run: ratio = ours ÷ bare req/s.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { DiscordSimulator } from '../src/simulator/index.js';
import { makePng } from '../test/helpers/images.js';
import { postJson } from '../test/helpers/graphql-http.js';
import { startChild } from './child.js';
import { cleanupRedis, newPrefix, round, submit } from './common.js';
import type { BenchResult } from './stats.js';

const CONNECTIONS = 10;
const DURATION_S = Number(process.env['BENCH_P6_SECONDS'] ?? 5);
const WARMUP_S = 2;

const JOB_QUERY = 'query ($id: ID!) { job(id: $id) { id status version channel created updated attachments { url } } }';

async function cannon(url: string, body: string, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body,
  });
}

async function startBare(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./bare-yoga.ts', import.meta.url))], {
    cwd: fileURLToPath(new URL('../', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bare yoga did not start')), 20_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /"url":"([^"]+)"/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function run(): Promise<BenchResult> {
  const prefix = newPrefix('p6');
  const simulator = await DiscordSimulator.start({ botDelayMs: 0 });
  const account = simulator.createAccount({ credits: 1_000_000 });
  const server = await startChild(prefix, simulator, [account]);
  const bare = await startBare();
  try {
    const job = await submit(server.url, { source: await makePng(32, 32), target: await makePng(48, 48) }, { wait: true });
    if (job.status !== 'COMPLETED') throw new Error(`setup job ended ${job.status}`);
    const ourBody = JSON.stringify({ query: JOB_QUERY, variables: { id: job.id } });
    const check = await postJson<{ job: { status: string } }>(server.url, JOB_QUERY, { id: job.id });
    if (check.body.data?.job.status !== 'COMPLETED') throw new Error(`job query failed: ${JSON.stringify(check.body)}`);
    const bareBody = JSON.stringify({ query: '{ hello }' });
    await cannon(server.url, ourBody, WARMUP_S);
    await cannon(bare.url, bareBody, WARMUP_S);
    // Interleaved 1 s rounds (ours, bare, ours, bare…; DURATION_S each in total) so that load from
    // other processes on the machine affects both sides alike.
    const oursRounds: autocannon.Result[] = [];
    const bareRounds: autocannon.Result[] = [];
    for (let i = 0; i < DURATION_S; i++) {
      oursRounds.push(await cannon(server.url, ourBody, 1));
      bareRounds.push(await cannon(bare.url, bareBody, 1));
    }
    const sum = (rs: autocannon.Result[]) => rs.reduce((n, r) => n + r.requests.total, 0);
    const oursReqS = sum(oursRounds) / DURATION_S;
    const bareReqS = sum(bareRounds) / DURATION_S;
    const ratio = oursReqS / bareReqS;
    const roundRatios = oursRounds.map((r, i) => r.requests.total / bareRounds[i]!.requests.total);
    const ours = oursRounds[oursRounds.length - 1]!;
    const ref = bareRounds[bareRounds.length - 1]!;
    const bad = [...oursRounds, ...bareRounds].reduce((n, r) => n + r.non2xx + r.errors, 0);
    return {
      id: 'P6',
      name: 'job(id) throughput vs bare yoga',
      metrics: {
        oursReqS: round(oursReqS, 0),
        bareReqS: round(bareReqS, 0),
        ratio: round(ratio, 3),
        roundRatioMin: round(Math.min(...roundRatios), 3),
        roundRatioMax: round(Math.max(...roundRatios), 3),
        oursP50Ms: ours.latency.p50,
        oursP99Ms: ours.latency.p99,
        bareP50Ms: ref.latency.p50,
        bareP99Ms: ref.latency.p99,
        errors: bad,
      },
      target: 'ratio ≥ 0.5',
      pass: ratio >= 0.5 && bad === 0,
      notes:
        `autocannon in the bench process, ${CONNECTIONS} connections, ${WARMUP_S} s warm-up each, then ${DURATION_S} interleaved 1 s rounds each (ratio = total requests ours ÷ bare; roundRatio* = per round; latency p50/p99 from the last round); both servers are separate processes ` +
        '(ours: src/main.ts with Redis, open auth, NODE_ENV=test, LOG_LEVEL=info as the process helper needs; bare: createYoga hello-world, NODE_ENV=production, logging off). ' +
        'Query: job(id) { id status version channel created updated attachments { url } } of a COMPLETED job.',
    };
  } finally {
    await bare.stop();
    await server.kill();
    await simulator.close();
    await cleanupRedis(prefix);
  }
}
