/**
 * Forcing a reconnect without losing the client. ioredis 5.9 (package.json) has three ways to turn
 * a reconnect into an outage that never ends; each was hit in the failover tests under CPU load
 * (test/redis/sentinel-reconnect.test.ts, test/redis/cluster-reset.test.ts):
 *
 * - A Sentinel client that lost its primary asks the sentinels where it is now (the lookup), then
 *   opens a socket; both steps are status `connecting`. A disconnect during the lookup rejects it
 *   with "Connection is closed." and moves the client to `end`: it never reconnects. The lookup
 *   takes a millisecond or two on an idle machine, tens of milliseconds under load (78 ms measured),
 *   and two disconnects landed in it: a reset of ours (`resetSocket` now leaves a client without a
 *   socket alone) and ioredis's failover detector of the closed socket, still subscribed to
 *   +switch-master (`releaseFailoverDetectorOnClose`; ioredis 6.1 releases it itself).
 * - `Cluster#disconnect(true)` waits for its connection pool to drain before it reconnects; a
 *   MOVED reply to a command sent before puts a node back in the pool (during a failover the
 *   surviving nodes still name the dead primary), and the Cluster stays in `disconnecting` for
 *   good, refusing every command. `dropNodeConnections` leaves the Cluster's own state alone.
 * - The same reconnect on a Cluster subscriber comes back without its shard subscribers when the
 *   slots did not change: every message after it is lost (see ./subscriber-connection.ts, which
 *   replaces such a subscriber instead).
 */
import type { Cluster, Redis } from 'ioredis';

const droppedSockets = new WeakMap<Redis, unknown>();

/**
 * Drops the client's socket (everything pending on it fails) so ioredis opens a fresh one, once per
 * socket. Not while the client has none to drop: reconnecting, or still asking the sentinels for
 * the primary (its `stream` is then the previous, closed socket, or none yet); that lookup has its
 * own timeouts and ends in a fresh socket anyway.
 */
export function resetSocket(client: Redis): void {
  const { stream } = client;
  const hasSocket =
    client.status === 'ready' ||
    client.status === 'connect' ||
    (client.status === 'connecting' && stream !== undefined && !stream.destroyed);
  if (!hasSocket || droppedSockets.get(client) === stream) return;
  droppedSockets.set(client, stream);
  client.disconnect(true);
}

const droppedNodes = new WeakSet<Redis>();

/**
 * A ready Cluster's reset: each node connection is dropped, once. The Cluster opens a node's
 * connection again when a command needs it (following MOVED), or reconnects as a whole once none
 * is left, as when nodes fail.
 */
export function dropNodeConnections(cluster: Cluster): void {
  if (cluster.status !== 'ready') return;
  for (const node of cluster.nodes('all')) {
    if (droppedNodes.has(node)) continue;
    droppedNodes.add(node);
    node.disconnect();
  }
}

/** For a Sentinel client: when its socket closed, release the failover detector that watched it. */
export function releaseFailoverDetectorOnClose(client: Redis): void {
  client.on('close', () => {
    // `close` is emitted once the reconnect is scheduled (at least retryDelay(1) ahead): the lookup
    // has not started, the socket is closed already, so disconnect(true) only releases the
    // connector's leftovers (the detector) and the scheduled reconnect stands.
    if (client.status === 'reconnecting') client.disconnect(true);
  });
}
