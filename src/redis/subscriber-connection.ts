/**
 * The connection a subscriber listens on: how to prove it still delivers (`verify`), and the one
 * way to get a fresh one (`renew`). src/executor/subscriber-keepalive.ts decides when.
 *
 * - one primary or Sentinel: `verify` is a PING on the subscribed connection; `renew` drops its
 *   socket (./reconnect.ts), and ioredis reconnects and subscribes again by itself.
 * - Cluster: the subscriptions live on per-shard subscriber connections that a PING never reaches,
 *   so `verify` publishes a nonce on a probe channel of its own (under the same hash tag as the
 *   channels it carries, so on the same shard subscriber) and waits for it to come back. `renew`
 *   replaces the client by a duplicate (same seeds and options, the same error listeners),
 *   subscribed to the same channels before the old one is closed. Not reconnected in place: ioredis
 *   5.9 brings a Cluster subscriber back without its shard subscribers when the slots did not
 *   change, and every message after that is lost.
 *
 * The `onResubscribed` listeners (who re-read what they may have missed) are told once the
 * subscriptions are live again: after a round trip through the resubscribed connection, as ioredis
 * announces a resubscription when it has sent it, not when Redis has applied it.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { withinMs, withTimeout } from '../timing/timeout.js';
import { isCluster, type RedisClient } from './connect.js';
import { onMessage, onResubscribed, publish, subscribe, unsubscribe } from './pubsub.js';
import { resetSocket } from './reconnect.js';

type MessageListener = (channel: string, message: string) => void;

export interface SubscriberConnectionOptions {
  /** A channel of this subscriber's own, under the hash tag of the channels it carries (Cluster). */
  probeChannel: string;
  /** How long a round trip may take (a replacement's connect and subscribe: twice that). */
  timeoutMs: number;
}

export class SubscriberConnection {
  #client: RedisClient;
  readonly #first: RedisClient;
  readonly #options: SubscriberConnectionOptions;
  readonly #channels = new Set<string>();
  readonly #messageListeners = new Set<MessageListener>();
  readonly #resubscribedListeners = new Set<() => void>();
  /** Removes this object's listeners from the current client. */
  #detach: () => void;
  /** A resubscription not yet confirmed by a round trip (its listeners not yet told). */
  #unconfirmed = false;
  #replacing = false;
  #closed = false;

  constructor(first: RedisClient, options: SubscriberConnectionOptions) {
    this.#first = first;
    this.#options = options;
    this.#client = first;
    // Resubscriptions are listened to from the first connect on (see `connect`).
    this.#detach = onMessage(first, this.#dispatch);
  }

  /** The client listening now (replaced by `renew` on a Cluster). */
  get client(): RedisClient {
    return this.#client;
  }

  async connect(): Promise<void> {
    await this.#client.connect();
    this.#detach();
    this.#detach = this.#listenOn(this.#client);
    if (isCluster(this.#client)) await this.subscribe(this.#options.probeChannel);
  }

  /** Subscribed on this client and on every one that replaces it. */
  async subscribe(channel: string): Promise<void> {
    this.#channels.add(channel);
    for (;;) {
      const target = this.#client;
      try {
        return await subscribe(target, channel);
      } catch (error) {
        // Replaced while subscribing: the replacement subscribed it, or this loop does.
        if (target === this.#client) throw error;
      }
    }
  }

  async unsubscribe(channel: string): Promise<void> {
    this.#channels.delete(channel);
    if (this.#client.status === 'ready') await unsubscribe(this.#client, channel);
  }

  onMessage(listener: MessageListener): void {
    this.#messageListeners.add(listener);
  }

  onResubscribed(listener: () => void): () => void {
    this.#resubscribedListeners.add(listener);
    return () => void this.#resubscribedListeners.delete(listener);
  }

  /** Whether a round trip through the subscriptions came back in time; tells the listeners of a pending resubscription if so. */
  async verify(): Promise<boolean> {
    const client = this.#client;
    const noAnswer = () => false;
    const answered = await withTimeout(
      this.#options.timeoutMs,
      (signal) => roundTrip(client, this.#options.probeChannel, signal),
      noAnswer,
    ).catch(() => false);
    if (answered && this.#unconfirmed && client === this.#client) {
      this.#unconfirmed = false;
      this.#resubscribedListeners.forEach((listener) => listener());
    }
    return answered;
  }

  renew(): void {
    const client = this.#client;
    if (!isCluster(client)) return resetSocket(client);
    if (this.#replacing || this.#closed) return;
    this.#replacing = true;
    connectedDuplicate(client, this.#first, this.#channels, 2 * this.#options.timeoutMs)
      .then((next) => {
        if (!next) return;
        if (this.#closed) return next.disconnect();
        this.#switchTo(next);
      })
      .finally(() => (this.#replacing = false))
      .catch(() => undefined);
  }

  close(): void {
    this.#closed = true;
    this.#detach();
    this.#messageListeners.clear();
    this.#resubscribedListeners.clear();
    this.#client.disconnect();
  }

  /** Starts listening on `next` (connected, its subscriptions acknowledged) and closes the one before. */
  #switchTo(next: RedisClient): void {
    const previous = this.#client;
    this.#detach();
    this.#client = next;
    this.#detach = this.#listenOn(next);
    previous.disconnect();
    this.#unconfirmed = false;
    this.#resubscribedListeners.forEach((listener) => listener());
  }

  #listenOn(client: RedisClient): () => void {
    const removers = [onMessage(client, this.#dispatch), onResubscribed(client, this.#resubscribed)];
    return () => removers.forEach((remove) => remove());
  }

  readonly #dispatch = (channel: string, message: string) => this.#messageListeners.forEach((listener) => listener(channel, message));
  readonly #resubscribed = () => {
    this.#unconfirmed = true;
    // If this round trip fails, the keepalive's next check confirms it or renews the connection.
    this.verify().catch(() => undefined);
  };
}

/**
 * A PING on one primary or under Sentinel (answered after the SUBSCRIBEs sent before it). On a
 * Cluster: publishes a fresh nonce on the probe channel and resolves when it comes back through
 * the shard subscriber (its listener goes when the time is up).
 */
async function roundTrip(client: RedisClient, probeChannel: string, signal: AbortSignal): Promise<boolean> {
  if (!isCluster(client)) {
    // In subscribed mode Redis answers PING with an array ("pong", ""): any answer will do.
    await client.ping();
    return true;
  }
  const nonce = randomBytes(6).toString('hex');
  let stop = () => {};
  const back = new Promise<void>((resolve, reject) => {
    stop = onMessage(client, (from, message) => from === probeChannel && message === nonce && resolve());
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
  try {
    // Together: a failed publish leaves `back` to be rejected by the abort, handled here.
    await Promise.all([publish(client, probeChannel, nonce), back]);
    return true;
  } finally {
    stop();
  }
}

/**
 * A duplicate of `cluster` with the error listeners of `owner`, connected and subscribed to
 * `channels` (those added meanwhile too: the caller switches synchronously after the last check)
 * within `timeoutMs`; null, closed, if not.
 */
async function connectedDuplicate(
  cluster: Cluster,
  owner: RedisClient,
  channels: ReadonlySet<string>,
  timeoutMs: number,
): Promise<Cluster | null> {
  const next = cluster.duplicate();
  for (const listener of owner.listeners('error')) next.on('error', listener as (error: Error) => void);
  const setUp = async () => {
    await next.connect();
    const done = new Set<string>();
    for (let missing = [...channels]; missing.length > 0; missing = [...channels].filter((c) => !done.has(c))) {
      await subscribe(next, ...missing);
      missing.forEach((c) => done.add(c));
    }
    return true;
  };
  const ready = await withinMs(timeoutMs, setUp(), () => false).catch(() => false);
  if (ready) return next;
  next.disconnect();
  return null;
}
