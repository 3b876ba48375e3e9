/**
 * Pub/sub that works the same on every topology. On one primary or under Sentinel: PUBLISH and
 * SUBSCRIBE. On a Cluster: sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis ≥ 7.0): a message goes only
 * to the shard that owns the channel's slot instead of over the cluster bus to every node, and a
 * channel under the executor's hash tag lives on the same shard as its keys. Scripts that publish
 * take the command from `publishCommand` (e.g. as an ARGV), so a script's SPUBLISH on a cluster
 * stays within the slot of its keys.
 */
import { isCluster, type RedisClient } from './connect.js';

export type PublishCommand = 'PUBLISH' | 'SPUBLISH';

export const publishCommand = (client: RedisClient): PublishCommand => (isCluster(client) ? 'SPUBLISH' : 'PUBLISH');

/** Resolves to the number of subscribers that received it (on a cluster: of the channel's shard). */
export async function publish(client: RedisClient, channel: string, message: string): Promise<number> {
  // ioredis types SPUBLISH's reply as unknown; Redis answers the receiver count, like PUBLISH.
  return isCluster(client) ? Number(await client.spublish(channel, message)) : client.publish(channel, message);
}

/**
 * Resolves once every channel is subscribed. A Cluster subscriber needs `shardedSubscribers` (the
 * `subscriber` role has it); each channel goes to its own shard.
 */
export async function subscribe(client: RedisClient, ...channels: string[]): Promise<void> {
  if (channels.length === 0) return;
  if (isCluster(client)) await Promise.all(channels.map((channel) => client.ssubscribe(channel)));
  else await client.subscribe(...channels);
}

export async function unsubscribe(client: RedisClient, ...channels: string[]): Promise<void> {
  if (channels.length === 0) return;
  if (isCluster(client)) await Promise.all(channels.map((channel) => client.sunsubscribe(channel)));
  else await client.unsubscribe(...channels);
}

/** Calls `listener` for every message on the client's subscriptions; returns the remover. */
export function onMessage(client: RedisClient, listener: (channel: string, message: string) => void): () => void {
  const event = isCluster(client) ? 'smessage' : 'message';
  client.on(event, listener);
  return () => void client.off(event, listener);
}

/**
 * Calls `listener` whenever the subscriptions were restored after a lost connection (messages may
 * have been missed meanwhile: re-read what matters). Register it after connecting. Single/Sentinel:
 * `ready`; Cluster: `subscribersReady` (the shard subscribers were replaced and re-subscribed; also
 * after a topology change, and possibly once just after connecting: a re-read must be harmless).
 */
export function onResubscribed(client: RedisClient, listener: () => void): () => void {
  const event = isCluster(client) ? 'subscribersReady' : 'ready';
  client.on(event, listener);
  return () => void client.off(event, listener);
}
