/**
 * Entry of the simulator process of P8/P9 (started by sim-process.ts): a DiscordSimulator with
 * BENCH_SIM_ACCOUNTS accounts in its own process, so its rendering does not share the bench
 * process's event loop. Answers the parent's IPC requests with its per-channel counters, since the
 * standalone `npm run simulator` has no way to read them.
 */
import { performance } from 'node:perf_hooks';
import { DiscordSimulator } from '../src/simulator/index.js';
import type { SimRequest, SimResponse, SimSnapshot } from './sim-process.js';

const simulator = await DiscordSimulator.start({ botDelayMs: Number(process.env['BENCH_SIM_BOT_DELAY_MS'] ?? 0) });
const accounts = Array.from({ length: Number(process.env['BENCH_SIM_ACCOUNTS'] ?? 1) }, () =>
  simulator.createAccount({ credits: 1_000_000_000 }),
);

/** Interaction times as epoch ms (performance.timeOrigin + now), comparable with the parent's clock. */
function snapshot(): SimSnapshot {
  const epoch = (t: number) => performance.timeOrigin + t;
  return {
    channels: accounts.map((a) => {
      const log = simulator.interactionsLog(a.channelId);
      const ended = log.filter((e) => e.endedAt !== undefined);
      return {
        channelId: a.channelId,
        ...simulator.stats(a.channelId),
        firstAt: log.length ? epoch(Math.min(...log.map((e) => e.at))) : null,
        lastEndedAt: ended.length ? epoch(Math.max(...ended.map((e) => e.endedAt!))) : null,
        log: log.map((e): [string, number, number | null] => [e.nonce, epoch(e.at), e.endedAt === undefined ? null : epoch(e.endedAt)]),
      };
    }),
  };
}

function answer(request: SimRequest): SimResponse {
  switch (request.kind) {
    case 'snapshot':
      return { seq: request.seq, snapshot: snapshot() };
    case 'setBotDelay':
      simulator.setBotDelay(request.ms);
      return { seq: request.seq };
    case 'resetStats':
      simulator.resetStats();
      return { seq: request.seq };
  }
}

process.on('message', (request: SimRequest) => process.send!(answer(request)));
process.once('disconnect', () => {
  simulator.close().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
process.send!({
  ready: { apiUrl: simulator.apiUrl, accounts: accounts.map((a) => ({ channel: a.channelId, server: a.guildId, discord: a.token })) },
});
