// Live job updates over graphql-ws (the browser build served at /web/graphql-ws.js), and the state
// of that connection for people: when it drops while a job is followed, the page says it is
// reconnecting; when it is back, every followed job is read again, so nothing that happened in
// between is missed.

/** The longest wait between two reconnection attempts. */
const MAX_RETRY_WAIT_MS = 3000;
/** graphql-ws close codes for a refused token: retrying would be refused again. */
const REFUSED = new Set([4401, 4403]);

export class Live {
  /**
   * @param {() => Record<string, string>} authHeaders the token as connectionParams
   * @param {(id: string) => Promise<{ job, errors }>} readJob reads a job over HTTP
   */
  constructor(authHeaders, readJob) {
    this.authHeaders = authHeaders;
    this.readJob = readJob;
    this.client = null;
    this.watchers = new Map();
    /** Open-ended subscriptions (the operator view's): each may read again after a reconnection. */
    this.streams = new Set();
    this.stateListeners = new Set();
    this.state = 'idle';
  }

  /** Calls `listener(state)` on every change: 'idle', 'connected' or 'reconnecting'. */
  onState(listener) {
    this.stateListeners.add(listener);
  }

  /** Follows a job until it is terminal; returns a function that stops following. */
  watch(id, query, { onUpdate, onError }) {
    const key = Symbol(id);
    const watcher = {
      id,
      onError,
      version: -1,
      // A re-read after a reconnection may cross a live event: never go back to an older state.
      deliver: (job) => {
        if (!this.watchers.has(key) || job.version < watcher.version) return;
        watcher.version = job.version;
        onUpdate(job);
      },
    };
    this.watchers.set(key, watcher);
    const stop = this.connection().subscribe(
      { query, variables: { id } },
      {
        next: (result) => (result.errors?.length ? onError({ errors: result.errors }) : watcher.deliver(result.data.jobUpdated)),
        error: (error) => {
          this.forget(key);
          onError(Array.isArray(error) ? { errors: error } : { close: error });
        },
        complete: () => this.forget(key),
      },
    );
    return () => {
      this.forget(key);
      stop();
    };
  }

  /**
   * Streams a subscription that never completes; `onReconnect` runs when the connection is back
   * (what happened meanwhile may have been missed). Returns a function that stops it.
   */
  stream(query, variables, { onNext, onError, onReconnect }) {
    const entry = { onReconnect };
    this.streams.add(entry);
    const stop = this.connection().subscribe(
      { query, variables },
      {
        next: (result) => (result.errors?.length ? onError({ errors: result.errors }) : onNext(result.data)),
        error: (error) => {
          this.streams.delete(entry);
          onError(Array.isArray(error) ? { errors: error } : { close: error });
        },
        complete: () => this.streams.delete(entry),
      },
    );
    return () => {
      this.streams.delete(entry);
      if (this.watchers.size === 0 && this.streams.size === 0) this.setState('idle');
      stop();
    };
  }

  /** Drops the connection, so the next subscription authenticates with the current token. */
  reset() {
    this.client?.dispose();
    this.client = null;
    this.setState('idle');
  }

  forget(key) {
    this.watchers.delete(key);
    if (this.watchers.size === 0 && this.streams.size === 0) this.setState('idle');
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  /** Reads every followed job again (after a reconnection). */
  async reread() {
    for (const { id, deliver, onError } of [...this.watchers.values()]) {
      const { job, errors } = await this.readJob(id);
      if (job) deliver(job);
      else if (errors) onError({ errors });
    }
  }

  connection() {
    if (this.client) return this.client;
    const url = new URL('/graphql', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const client = globalThis.graphqlWs.createClient({
      url: url.href,
      connectionParams: () => this.authHeaders(),
      shouldRetry: (event) => !(event && REFUSED.has(event.code)),
      retryAttempts: Infinity,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(MAX_RETRY_WAIT_MS, 300 * 2 ** retries))),
    });
    client.on('connected', () => {
      const wasDown = this.state === 'reconnecting';
      this.setState('connected');
      if (!wasDown) return;
      void this.reread();
      for (const { onReconnect } of this.streams) onReconnect?.();
    });
    client.on('closed', (event) => {
      const following = this.watchers.size > 0 || this.streams.size > 0;
      if (this.client === client && following && !REFUSED.has(event?.code)) this.setState('reconnecting');
    });
    this.client = client;
    return client;
  }
}
