/**
 * Gateway heartbeats: the first after a random fraction of the interval (jitter), then one per
 * interval, each carrying the last sequence. A beat due while the previous one is still not
 * acknowledged means the connection is a zombie: `onZombie` is called and beating stops.
 */
import { systemClock, type Clock, type ClockTimer } from '../timing/clock.js';

export interface HeartbeatOptions {
  interval: number;
  random: () => number;
  beat: () => void;
  onZombie: () => void;
}

export class Heartbeat {
  private timer: ClockTimer | undefined;
  private acked = true;

  constructor(private readonly clock: Clock = systemClock) {}

  start(o: HeartbeatOptions): void {
    this.stop();
    this.acked = true;
    const tick = (): void => {
      if (!this.acked) {
        this.timer = undefined;
        o.onZombie();
        return;
      }
      this.acked = false;
      o.beat();
      this.timer = this.clock.setTimeout(tick, o.interval);
    };
    this.timer = this.clock.setTimeout(tick, Math.floor(o.interval * o.random()));
  }

  ack(): void {
    this.acked = true;
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
