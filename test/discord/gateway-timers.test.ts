/** The gateway's heartbeat and reconnect timers on a manual clock: beats, zombie detection, backoff runs. */
import { describe, expect, it } from 'vitest';
import { Heartbeat } from '../../src/discord/heartbeat.js';
import { ReconnectTimer } from '../../src/discord/reconnect-timer.js';
import { createManualClock } from '../../src/timing/clock.js';

describe('gateway timers', () => {
  it('beats after a jittered first delay, then every interval while acknowledged; an unacknowledged beat makes a zombie', async () => {
    const clock = createManualClock();
    const heartbeat = new Heartbeat(clock);
    let beats = 0;
    let zombies = 0;
    heartbeat.start({ interval: 1000, random: () => 0.25, beat: () => (beats += 1), onZombie: () => (zombies += 1) });
    await clock.advance(249);
    expect(beats).toBe(0);
    await clock.advance(1);
    expect(beats).toBe(1);
    heartbeat.ack();
    await clock.advance(1000);
    expect([beats, zombies]).toEqual([2, 0]);
    // No ack for the second beat: the third is due, the connection is a zombie, beating stops.
    await clock.advance(1000);
    expect([beats, zombies]).toEqual([2, 1]);
    expect(clock.pending()).toBe(0);
  });

  it('runs a reconnect after its backoff delay, replacing a pending one', async () => {
    const clock = createManualClock();
    const timer = new ReconnectTimer({ initialMs: 1000, maxMs: 8000 }, () => 1, clock);
    expect(timer.nextBackoff()).toEqual({ attempt: 1, delayMs: 0 });
    const { delayMs } = timer.nextBackoff();
    const runs: string[] = [];
    timer.run(5000, () => runs.push('replaced'));
    timer.run(delayMs, () => runs.push('second'));
    await clock.advance(delayMs - 1);
    expect(runs).toEqual([]);
    await clock.advance(1);
    expect(runs).toEqual(['second']);
    await clock.advance(10_000);
    expect(runs).toEqual(['second']);
  });
});
