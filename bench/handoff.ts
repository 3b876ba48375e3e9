/**
 * P8's handoff: what happens on a channel between the bot's final reply of one job and the next
 * interaction, split by the timestamps the job records carry (one clock: one machine):
 *   reply → outcome   the bot's reply seen and the result files copied into the blob store (`finishedAt`
 *                     is taken at COMPLETED, after the copy, which runs once the channel was released:
 *                     docs/channel-hold.md);
 *   outcome → claim   from COMPLETED to the next claim (`startedAt` of the next job): negative when the
 *                     next claim came during the copy, as it does for jobs with result files;
 *   claim → sent      the run starts: inputs read from the blob store, uploaded to Discord, command recorded;
 *   sent → accepted   POST /interactions until the simulator accepted it.
 */
import type { Job } from '../src/jobs/model.js';
import type { SimSnapshot } from './sim-process.js';
import { percentile } from './stats.js';

export interface HandoffPart {
  p50: number;
  mean: number;
}

export interface Handoff {
  gaps: { startedAt: number; gapMs: number }[];
  parts: Record<'replyToOutcome' | 'outcomeToClaim' | 'claimToSent' | 'sentToAccepted', HandoffPart>;
}

const part = (xs: number[]): HandoffPart => ({ p50: percentile(xs, 50), mean: xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length) });

export function handoff(snapshot: SimSnapshot, jobs: Job[]): Handoff {
  const byNonce = new Map(jobs.filter((j) => j.command).map((j) => [j.command!.nonce, j]));
  const gaps: Handoff['gaps'] = [];
  const parts = {
    replyToOutcome: [] as number[],
    outcomeToClaim: [] as number[],
    claimToSent: [] as number[],
    sentToAccepted: [] as number[],
  };
  for (const channel of snapshot.channels) {
    const log = [...channel.log].sort((a, b) => a[1] - b[1]);
    for (let i = 1; i < log.length; i++) {
      const [prevNonce, , prevEnded] = log[i - 1]!;
      const [nonce, at] = log[i]!;
      if (prevEnded === null) continue;
      gaps.push({ startedAt: at, gapMs: at - prevEnded });
      const prev = byNonce.get(prevNonce);
      const next = byNonce.get(nonce);
      if (!prev?.finishedAt || !next?.startedAt || !next.command) continue;
      const finished = Date.parse(prev.finishedAt);
      const started = Date.parse(next.startedAt);
      const sent = Date.parse(next.command.sentAt);
      parts.replyToOutcome.push(finished - prevEnded);
      parts.outcomeToClaim.push(started - finished);
      parts.claimToSent.push(sent - started);
      parts.sentToAccepted.push(at - sent);
    }
  }
  return {
    gaps,
    parts: {
      replyToOutcome: part(parts.replyToOutcome),
      outcomeToClaim: part(parts.outcomeToClaim),
      claimToSent: part(parts.claimToSent),
      sentToAccepted: part(parts.sentToAccepted),
    },
  };
}
