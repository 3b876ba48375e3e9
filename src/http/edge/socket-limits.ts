/**
 * Websocket counts when auth is on: sockets that have not authenticated yet, per remote address
 * (a flood of idle sockets from one host is refused before any token is checked), and per token
 * its open sockets and the operations running on them. Open dev mode serves loopback only and
 * keeps no counts.
 */
import type { ClientLimits } from '../../config/server.js';

interface Tracked {
  address: string;
  owner: string | null;
  /** Operations running on the socket now. */
  operations: () => number;
}

export type SocketRefusal = 'too many unauthenticated sockets from this address' | 'too many sockets for this token';

export interface SocketLimits {
  /** A new socket, not authenticated yet: a refusal when its address has too many such sockets. */
  opened(socket: object, address: string): SocketRefusal | null;
  /** The socket authenticated as `owner` (`operations` counts those it runs): a refusal when the owner has too many sockets. */
  authenticated(socket: object, owner: string, operations: () => number): SocketRefusal | null;
  /** Whether the owner may run the operation being started (counted already) with those running on all its sockets. */
  mayStartOperation(owner: string): boolean;
  closed(socket: object): void;
}

export function createSocketLimits(limits: ClientLimits['websocket']): SocketLimits {
  const sockets = new Map<object, Tracked>();
  const pendingByAddress = new Map<string, number>();
  const byOwner = new Map<string, Set<Tracked>>();

  const settlePending = (tracked: Tracked) => {
    const left = (pendingByAddress.get(tracked.address) ?? 1) - 1;
    if (left > 0) pendingByAddress.set(tracked.address, left);
    else pendingByAddress.delete(tracked.address);
  };

  return {
    opened(socket, address) {
      const pending = pendingByAddress.get(address) ?? 0;
      if (pending >= limits.pendingPerAddress) return 'too many unauthenticated sockets from this address';
      pendingByAddress.set(address, pending + 1);
      sockets.set(socket, { address, owner: null, operations: () => 0 });
      return null;
    },
    authenticated(socket, owner, operations) {
      const tracked = sockets.get(socket);
      if (!tracked || tracked.owner !== null) return null;
      settlePending(tracked);
      const owned = byOwner.get(owner) ?? new Set();
      if (owned.size >= limits.connectionsPerToken) {
        sockets.delete(socket);
        return 'too many sockets for this token';
      }
      tracked.owner = owner;
      tracked.operations = operations;
      byOwner.set(owner, owned.add(tracked));
      return null;
    },
    mayStartOperation(owner) {
      let running = 0;
      for (const tracked of byOwner.get(owner) ?? []) running += tracked.operations();
      return running <= limits.subscriptionsPerToken;
    },
    closed(socket) {
      const tracked = sockets.get(socket);
      if (!tracked) return;
      sockets.delete(socket);
      if (tracked.owner === null) return settlePending(tracked);
      const owned = byOwner.get(tracked.owner);
      owned?.delete(tracked);
      if (owned?.size === 0) byOwner.delete(tracked.owner);
    },
  };
}
