/**
 * The in-process coordinator: the same contract as Redis for a single instance (no REDIS_URL).
 * JavaScript runs one method body at a time, so each method is atomic like a Lua script. With a
 * journal (./disk-journal.ts) every change is written to disk before the call returns. Its parts, by
 * concern: ./jobs.ts, ./claims.ts, ./accounts.ts; jobs change only through
 * ./writes.ts.
 */
import { EVENT_QUEUE, type CallbackTaskRule, type Coordinator, type StoreEvents, type StoreLife } from '../port.js';
import type { MemoryCallbackStore } from '../../../callbacks/store.js';
import type { Journal } from './disk-journal.js';
import { memoryAccounts, memoryCredits } from './accounts.js';
import { memoryClaims } from './claims.js';
import { memoryJobs } from './jobs.js';
import { MemoryState } from './state.js';
import { memoryStore, type MemoryStore } from './writes.js';

export interface MemoryCoordinatorOptions {
  now?: () => number;
  callbacks?: CallbackTaskRule;
  /** The in-process callback store: terminal writes create their task in it in the same step. */
  callbackTasks?: MemoryCallbackStore;
  journal?: Journal;
}

function memoryEvents({ events }: MemoryStore): StoreEvents {
  return {
    publish: async (event, payload) => void events.emit(event, payload),
    subscribe: async (event, listener) => {
      events.on(event, listener);
      return async () => void events.off(event, listener);
    },
    onReconnect: () => () => {},
  };
}

function memoryLife({ state, now, events }: MemoryStore): StoreLife {
  return {
    checkStore: async () => 'same' as const, // an in-process store cannot lose its data and keep this process
    heartbeat: async (instance, ttlMs) => void state.alive.set(instance, now() + ttlMs),
    isAlive: async (instance) => (state.alive.get(instance) ?? 0) > now(),
    ping: async () => true,
    // The journal is closed by its opener (../open-stores.ts): the callback store writes to it until the end.
    close: async () => void events.removeAllListeners(),
  };
}

export function createMemoryCoordinator(options: MemoryCoordinatorOptions = {}): Coordinator {
  const now = options.now ?? Date.now;
  const state = options.journal?.state ?? new MemoryState(now);
  const store = memoryStore(state, { ...options, now });
  state.onQueueChange = () => store.events.emit(EVENT_QUEUE, '');
  return {
    ...memoryJobs(store),
    ...memoryClaims(store),
    ...memoryAccounts(store),
    ...memoryCredits(store),
    ...memoryEvents(store),
    ...memoryLife(store),
  };
}
