/**
 * The process's Prometheus registry and every picsi_* metric in it. One registry per call (never
 * prom-client's global default), so tests can build several side by side.
 *
 * Default process metrics keep their standard unprefixed names (process_*, nodejs_*): that is what
 * the stock Node.js dashboards and alerts query; the scrape's job/instance labels tell services apart.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ACCOUNT_STATES } from '../jobs/account.js';
import { BLOB_OPERATIONS, CALLBACK_OUTCOMES, DISCORD_ROUTES, jobCodeLabel, type Metrics } from './instrumentation.js';

/**
 * Numbers read at scrape time. They describe the shared queue and channels, so every instance
 * reports the same values: aggregate them with max(), never sum().
 */
export interface MetricsSources {
  jobCounts?: () => Promise<{ queued: number; running: number }>;
  channels?: () => Promise<{ total: number; busy: number }>;
  /** Accounts by health state (src/jobs/account.ts ACCOUNT_STATES); a state absent counts 0. */
  accountStates?: () => Promise<Record<string, number>>;
}

export interface MetricsRegistry {
  registry: Registry;
  metrics: Metrics;
}

/** Seconds: 10 ms (a fast queue hand-over) to 5 min (past JOB_TIMEOUT_MS's default of 2 min). */
export const JOB_SECONDS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];

export function createMetricsRegistry(sources: MetricsSources = {}, options: { defaultMetrics?: boolean } = {}): MetricsRegistry {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  /** A counter by one label whose known values start at 0, so rate() and absent() work before the first event. */
  const counterBy = <L extends string>(name: string, help: string, label: L, values: readonly string[]) => {
    const created = counter(name, help, [label]);
    for (const value of values) created.inc({ [label]: value } as Record<L, string>, 0);
    return created;
  };
  const jobSeconds = (name: string, help: string) => new Histogram({ name, help, buckets: JOB_SECONDS_BUCKETS, registers });

  const accepted = counter('picsi_jobs_accepted_total', 'Jobs accepted by this instance.');
  const finished = counter(
    'picsi_jobs_finished_total',
    'Jobs whose terminal state this instance wrote, by status and code (NONE when completed).',
    ['status', 'code'],
  );
  finished.inc({ status: 'COMPLETED', code: 'NONE' }, 0);
  const queueWait = jobSeconds(
    'picsi_job_queue_wait_seconds',
    'Time from acceptance to start on a channel, for jobs run by this instance.',
  );
  const runTime = jobSeconds('picsi_job_run_seconds', 'Time from start on a channel to the terminal state, for jobs run by this instance.');
  const channelBusySeconds = counter(
    'picsi_channel_busy_seconds_total',
    'Seconds each channel spent running jobs of this instance (channel ids come from configuration, so the label is bounded).',
    ['channel'],
  );
  const callbacks = counterBy('picsi_callback_deliveries_total', 'Callback delivery attempts by outcome.', 'outcome', CALLBACK_OUTCOMES);
  const rateLimited = counterBy('picsi_discord_rate_limited_total', 'Discord REST 429s by route.', 'route', DISCORD_ROUTES);
  const reconnects = counter(
    'picsi_discord_gateway_reconnects_total',
    'Discord gateway reconnect attempts (resume or re-identify after a dropped socket).',
  );
  const blobErrors = counterBy('picsi_blob_store_errors_total', 'Failed blob store operations by operation.', 'operation', BLOB_OPERATIONS);

  if (sources.jobCounts)
    registerSnapshotGauges(registers, sources.jobCounts, {
      queued: ['picsi_queue_depth', 'Jobs waiting in the shared queue'],
      running: ['picsi_jobs_running', 'Jobs running on any instance'],
    });
  if (sources.channels)
    registerSnapshotGauges(registers, sources.channels, {
      total: ['picsi_channels_total', 'Configured channels'],
      busy: ['picsi_channels_busy', 'Channels running a job now'],
    });

  if (sources.accountStates) registerAccountStates(registers, sources.accountStates);

  const metrics: Metrics = {
    jobAccepted: () => accepted.inc(),
    jobFinished(status, code, runSeconds) {
      finished.inc({ status, code: jobCodeLabel(code) });
      if (runSeconds !== null) runTime.observe(runSeconds);
    },
    jobStarted: (queueWaitSeconds) => queueWait.observe(queueWaitSeconds),
    channelBusy: (channel, seconds) => channelBusySeconds.inc({ channel }, seconds),
    callbackOutcome: (outcome) => callbacks.inc({ outcome }),
    discordRateLimited: (route) => rateLimited.inc({ route }),
    gatewayReconnect: () => reconnects.inc(),
    blobStoreError: (operation) => blobErrors.inc({ operation }),
  };
  return { registry, metrics };
}

/**
 * One gauge per field of a snapshot read at scrape time (each as [name, what it counts]). The gauges
 * of one snapshot collect concurrently, so they share a single read of the source.
 */
function registerSnapshotGauges<K extends string>(
  registers: Registry[],
  read: () => Promise<Record<K, number>>,
  gauges: Record<K, [name: string, counts: string]>,
) {
  let pending: Promise<Record<K, number> | null> | null = null;
  const snapshot = () =>
    (pending ??= read()
      .catch(() => null)
      .finally(() => (pending = null)));
  for (const [field, [name, counts]] of Object.entries(gauges) as [K, [string, string]][]) {
    new Gauge({
      name,
      help: `${counts} (same on every instance: use max()). NaN when the store cannot be read.`,
      registers,
      async collect() {
        const values = await snapshot();
        this.set(values ? values[field] : Number.NaN);
      },
    });
  }
}

/** `picsi_accounts{state}`: every state a series, read at scrape time; NaN while the store cannot be read. */
function registerAccountStates(registers: Registry[], read: () => Promise<Record<string, number>>) {
  new Gauge({
    name: 'picsi_accounts',
    help: 'Configured accounts by health state (same on every instance: use max()). NaN when the store cannot be read.',
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = await read().catch(() => null);
      for (const state of ACCOUNT_STATES) this.set({ state }, counts ? (counts[state] ?? 0) : Number.NaN);
    },
  });
}
