/**
 * Queue positions for the watchers of queued jobs on this instance. Whenever the queue changes on
 * any instance (EVENT_QUEUE: a job entered or left a queue, i.e. one was queued, started, cancelled,
 * failed while queued, handed back or requeued), every position is computed again in one pass over
 * the queues (Coordinator.queuePositions) and only the followed jobs whose position moved are told.
 * Changes that arrive during a pass are taken together by one more pass, so the cost is one pass
 * per burst of changes, whatever the number of watchers (bench/queue-positions.ts measures it). The
 * event is subscribed to only while a job is followed; a reconnect of the event connection (events
 * may have been lost) starts a pass too.
 */
import { EVENT_QUEUE, type Coordinator } from '../store/port.js';

type Listener = (position: number) => void;

export class QueueFeed {
  private readonly followers = new Map<string, Set<Listener>>();
  /** The position each followed job was last told (a pass tells only the ones that moved). */
  private readonly told = new Map<string, number>();
  private subscription: Promise<() => Promise<void>> | null = null;
  private stopReconnect: (() => void) | null = null;
  private pass: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Tells `listener` the job's position each time a pass finds it moved, until the returned stop is
   * called. Resolves once the queue event is subscribed to: no change after that is missed.
   */
  async follow(id: string, listener: Listener): Promise<() => void> {
    let listeners = this.followers.get(id);
    if (!listeners) this.followers.set(id, (listeners = new Set()));
    listeners.add(listener);
    try {
      this.subscription ??= this.subscribe();
      await this.subscription;
    } catch (error) {
      this.unfollow(id, listener);
      throw error;
    }
    return () => this.unfollow(id, listener);
  }

  private unfollow(id: string, listener: Listener): void {
    const listeners = this.followers.get(id);
    listeners?.delete(listener);
    if (listeners?.size === 0) {
      this.followers.delete(id);
      this.told.delete(id);
    }
    if (this.followers.size > 0 || !this.subscription) return;
    const subscription = this.subscription;
    this.subscription = null;
    this.stopReconnect?.();
    this.stopReconnect = null;
    subscription.then(
      (unsubscribe) => unsubscribe().catch(this.onError),
      () => undefined,
    );
  }

  /** Subscribes to the queue event; a failed subscription is tried again by the next follow. */
  private subscribe(): Promise<() => Promise<void>> {
    this.stopReconnect ??= this.coordinator.onReconnect(() => this.changed());
    const subscription = this.coordinator.subscribe(EVENT_QUEUE, () => this.changed());
    subscription.catch(() => {
      if (this.subscription === subscription) this.subscription = null;
    });
    return subscription;
  }

  /** The queue changed: a pass now, or one more after the current one. */
  private changed(): void {
    if (this.pass) {
      this.again = true;
      return;
    }
    this.pass = (async () => {
      do {
        this.again = false;
        if (this.followers.size > 0) await this.tellMoved().catch(this.onError);
      } while (this.again);
    })().finally(() => (this.pass = null));
  }

  private async tellMoved(): Promise<void> {
    const positions = await this.coordinator.queuePositions();
    for (const [id, listeners] of this.followers) {
      const position = positions.get(id);
      if (position === undefined || this.told.get(id) === position) continue;
      this.told.set(id, position);
      for (const listener of listeners) listener(position);
    }
  }
}
