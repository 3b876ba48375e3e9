/**
 * The process's Prometheus registry and every picsi_* metric in it. One registry per call (never
 * prom-client's global default), so tests can build several side by side.
 *
 * Default process metrics keep their standard unprefixed names (process_*, nodejs_*): that is what
 * the stock Node.js dashboards and alerts query; the scrape's job/instance labels tell services apart.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BLOB_OPERATIONS, CALLBACK_OUTCOMES, DISCORD_ROUTES, jobCodeLabel, type Metrics } from './instrumentation.js';

/**
 * Numbers read at scrape time. They describe the shared queue and channels, so every instance
 * reports the same values: aggregate them with max(), never sum().
 */
export interface MetricsSources {
  jobCounts?: () => Promise<{ queued: number; running: number }>;
  channels?: () => Promise<{ total: number; busy: number }>;
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

  const accepted = new Counter({ name: 'picsi_jobs_accepted_total', help: 'Jobs accepted by this instance.', registers });
  const finished = new Counter({
    name: 'picsi_jobs_finished_total',
    help: 'Jobs whose terminal state this instance wrote, by status and code (NONE when completed).',
    labelNames: ['status', 'code'] as const,
    registers,
  });
  const queueWait = new Histogram({
    name: 'picsi_job_queue_wait_seconds',
    help: 'Time from acceptance to start on a channel, for jobs run by this instance.',
    buckets: JOB_SECONDS_BUCKETS,
    registers,
  });
  const runTime = new Histogram({
    name: 'picsi_job_run_seconds',
    help: 'Time from start on a channel to the terminal state, for jobs run by this instance.',
    buckets: JOB_SECONDS_BUCKETS,
    registers,
  });
  const channelBusySeconds = new Counter({
    name: 'picsi_channel_busy_seconds_total',
    help: 'Seconds each channel spent running jobs of this instance (channel ids come from configuration, so the label is bounded).',
    labelNames: ['channel'] as const,
    registers,
  });
  const callbacks = new Counter({
    name: 'picsi_callback_deliveries_total',
    help: 'Callback delivery attempts by outcome.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'picsi_discord_rate_limited_total',
    help: 'Discord REST 429s by route.',
    labelNames: ['route'] as const,
    registers,
  });
  const reconnects = new Counter({
    name: 'picsi_discord_gateway_reconnects_total',
    help: 'Discord gateway reconnect attempts (resume or re-identify after a dropped socket).',
    registers,
  });
  const blobErrors = new Counter({
    name: 'picsi_blob_store_errors_total',
    help: 'Failed blob store operations by operation.',
    labelNames: ['operation'] as const,
    registers,
  });

  // Known label values start at 0, so rate() and absent() work before the first event.
  finished.inc({ status: 'COMPLETED', code: 'NONE' }, 0);
  for (const outcome of CALLBACK_OUTCOMES) callbacks.inc({ outcome }, 0);
  for (const route of DISCORD_ROUTES) rateLimited.inc({ route }, 0);
  for (const operation of BLOB_OPERATIONS) blobErrors.inc({ operation }, 0);

  if (sources.jobCounts)
    registerSnapshotGauges(registers, sources.jobCounts, {
      queued: {
        name: 'picsi_queue_depth',
        help: 'Jobs waiting in the shared queue (same on every instance: use max()). NaN when the store cannot be read.',
      },
      running: {
        name: 'picsi_jobs_running',
        help: 'Jobs running on any instance (same on every instance: use max()). NaN when the store cannot be read.',
      },
    });
  if (sources.channels)
    registerSnapshotGauges(registers, sources.channels, {
      total: {
        name: 'picsi_channels_total',
        help: 'Configured channels (same on every instance: use max()). NaN when the store cannot be read.',
      },
      busy: {
        name: 'picsi_channels_busy',
        help: 'Channels running a job now (same on every instance: use max()). NaN when the store cannot be read.',
      },
    });

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
 * One gauge per field of a snapshot read at scrape time. The gauges of one snapshot collect
 * concurrently, so they share a single read of the source.
 */
function registerSnapshotGauges<K extends string>(
  registers: Registry[],
  read: () => Promise<Record<K, number>>,
  gauges: Record<K, { name: string; help: string }>,
) {
  let pending: Promise<Record<K, number> | null> | null = null;
  const snapshot = () =>
    (pending ??= read()
      .catch(() => null)
      .finally(() => (pending = null)));
  for (const [field, { name, help }] of Object.entries(gauges) as [K, { name: string; help: string }][]) {
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        const values = await snapshot();
        this.set(values ? values[field] : Number.NaN);
      },
    });
  }
}
