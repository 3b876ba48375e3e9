/**
 * Account alerts: each POSTed to ACCOUNT_ALERT_URL as JSON, through the job callbacks' own delivery
 * (the SSRF guard with CALLBACK_ALLOW_HOSTS, DNS-pinned connection, no redirects, status rules),
 * signing (Standard Webhooks with CALLBACK_SECRET; `webhook-id` one per alert) and retry policy
 * (CALLBACK_MAX_ATTEMPTS, backoff honouring Retry-After). Unlike a job's callback, an alert's retries
 * live in this process: the state it reports is in the store either way (accounts, accountUpdated);
 * without ACCOUNT_ALERT_URL it is only logged.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { retryDelayMs, type BackoffPolicy } from '../timing/backoff.js';
import { sleep, systemClock, type Clock } from '../timing/clock.js';
import { attemptDelivery, systemResolveHost, type ResolveHost } from './delivery.js';
import { createSigner } from './signing.js';
import { createHostPolicy } from './ssrf-guard.js';
import { pinnedTransport, type Transport } from './transport.js';

export interface AlertSenderDeps {
  url: string | null;
  callbacks: Config['callbacks'];
  logger: Logger;
  resolveHost?: ResolveHost;
  transport?: Transport;
  backoff?: Partial<BackoffPolicy>;
  /** Reads the time and runs each attempt's timeout and the waits between attempts. Default: the system clock. */
  clock?: Clock;
  random?: () => number;
}

export interface AlertSender {
  /** Sends in the background; never throws. */
  send(alert: { channel: string; type: string }): void;
  /** Stops retrying; attempts in flight are aborted. */
  close(): Promise<void>;
}

const ALERT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000, maxRetryAfterMs: 60 * 60_000 };

export function createAlertSender(deps: AlertSenderDeps): AlertSender {
  const log = deps.logger.child({ module: 'account-alerts' });
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? Math.random;
  const policy = createHostPolicy(deps.callbacks.allowHosts);
  const signer = createSigner(deps.callbacks.secret);
  const attemptDeps = { policy, resolveHost: deps.resolveHost ?? systemResolveHost, transport: deps.transport ?? pinnedTransport };
  const backoff = { ...ALERT_BACKOFF, ...deps.backoff };
  const shutdown = new AbortController();
  const inflight = new Set<Promise<void>>();
  if (deps.url !== null) {
    const refusal = policy.checkUrl(deps.url);
    if (refusal !== null) log.warn(`ACCOUNT_ALERT_URL ${refusal}: alerts to it will fail`);
  }

  async function deliver(url: string, id: string, body: string, channel: string): Promise<void> {
    for (let attempt = 1; attempt <= deps.callbacks.maxAttempts; attempt++) {
      const headers = { 'content-type': 'application/json', 'user-agent': 'picsi-graphql', ...signer.headers(id, clock.now(), body) };
      const outcome = await attemptDelivery(
        { url, body, headers, timeoutMs: deps.callbacks.timeoutMs, signal: shutdown.signal, clock },
        attemptDeps,
      );
      if (outcome.kind === 'delivered') return void log.info({ channel, alert: id, attempt }, 'account alert delivered');
      if (outcome.kind === 'aborted') return;
      if (outcome.kind === 'failed')
        return void log.warn({ channel, alert: id, error: outcome.error }, 'account alert refused (not retried)');
      if (attempt === deps.callbacks.maxAttempts) break;
      const delay = retryDelayMs(attempt, outcome.retryAfterMs, backoff, random);
      log.info({ channel, alert: id, error: outcome.error, retryInMs: delay }, 'account alert attempt failed: will retry');
      await sleep(clock, delay, shutdown.signal);
      if (shutdown.signal.aborted) return;
    }
    log.warn({ channel, alert: id }, `account alert not delivered after ${deps.callbacks.maxAttempts} attempts`);
  }

  return {
    send(alert) {
      const url = deps.url;
      if (url === null || shutdown.signal.aborted) return;
      const id = `alert_${randomUUID()}`;
      const run = deliver(url, id, JSON.stringify({ id, ...alert }), alert.channel)
        .catch((error: unknown) => log.error({ err: error }, 'account alert failed unexpectedly'))
        .finally(() => inflight.delete(run));
      inflight.add(run);
    },
    async close() {
      shutdown.abort(new Error('alerts closed'));
      await Promise.allSettled([...inflight]);
    },
  };
}
