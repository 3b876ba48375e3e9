/** The metrics module: names, types, labels, buckets, scrape-time gauges, and the job-service wiring. */
import { describe, expect, it, vi } from 'vitest';
import type { Job } from '../../src/jobs/model.js';
import { discordRouteOf, jobCodeLabel, noopMetrics, type Metrics } from '../../src/metrics/instrumentation.js';
import { instrumentJobService, recordFinished } from '../../src/metrics/job-metrics.js';
import type { JobService } from '../../src/jobs/job-service.js';
import { createMetricsRegistry, JOB_SECONDS_BUCKETS, type MetricsSources } from '../../src/metrics/registry.js';
import { parseExposition, valueOf } from './exposition.js';

const scrape = async (sources: MetricsSources = {}, act: (m: Metrics) => void = () => {}) => {
  const { registry, metrics } = createMetricsRegistry(sources, { defaultMetrics: false });
  act(metrics);
  return parseExposition(await registry.metrics());
};

describe('metric names and types', () => {
  it('registers every picsi_ metric with its Prometheus type', async () => {
    const { types } = await scrape({ jobCounts: async () => ({ queued: 0, running: 0 }), channels: async () => ({ total: 1, busy: 0 }) });
    expect(Object.fromEntries(types)).toEqual({
      picsi_jobs_accepted_total: 'counter',
      picsi_jobs_finished_total: 'counter',
      picsi_job_queue_wait_seconds: 'histogram',
      picsi_job_run_seconds: 'histogram',
      picsi_channel_busy_seconds_total: 'counter',
      picsi_callback_deliveries_total: 'counter',
      picsi_discord_rate_limited_total: 'counter',
      picsi_discord_gateway_reconnects_total: 'counter',
      picsi_blob_store_errors_total: 'counter',
      picsi_queue_depth: 'gauge',
      picsi_jobs_running: 'gauge',
      picsi_channels_total: 'gauge',
      picsi_channels_busy: 'gauge',
    });
  });

  it('adds the standard unprefixed process metrics by default', async () => {
    const { registry } = createMetricsRegistry();
    const { types } = parseExposition(await registry.metrics());
    expect(types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
  });

  it('exports every known label value at 0 before the first event', async () => {
    const { samples } = await scrape();
    expect(valueOf(samples, 'picsi_jobs_finished_total', { status: 'COMPLETED', code: 'NONE' })).toBe(0);
    expect(samples.filter((s) => s.name === 'picsi_callback_deliveries_total').map((s) => [s.labels['outcome'], s.value])).toEqual([
      ['delivered', 0],
      ['retry', 0],
      ['rejected', 0],
      ['exhausted', 0],
    ]);
    expect(samples.filter((s) => s.name === 'picsi_discord_rate_limited_total')).toHaveLength(6);
    expect(samples.filter((s) => s.name === 'picsi_blob_store_errors_total')).toHaveLength(5);
  });

  it('keeps registries apart: two in one process count separately', async () => {
    const a = createMetricsRegistry({}, { defaultMetrics: false });
    const b = createMetricsRegistry({}, { defaultMetrics: false });
    a.metrics.jobAccepted();
    a.metrics.jobAccepted();
    b.metrics.jobAccepted();
    expect(valueOf(parseExposition(await a.registry.metrics()).samples, 'picsi_jobs_accepted_total')).toBe(2);
    expect(valueOf(parseExposition(await b.registry.metrics()).samples, 'picsi_jobs_accepted_total')).toBe(1);
  });
});

describe('event metrics', () => {
  it('counts finished jobs by status and bounded code, and observes run time only for jobs that ran', async () => {
    const { samples } = await scrape({}, (m) => {
      m.jobFinished('COMPLETED', null, 4.2);
      m.jobFinished('COMPLETED', null, 0.3);
      m.jobFinished('FAILED', 'TIMEOUT', 120);
      m.jobFinished('FAILED', 'some free text from somewhere', 1);
      m.jobFinished('CANCELLED', 'CANCELLED', null);
    });
    expect(valueOf(samples, 'picsi_jobs_finished_total', { status: 'COMPLETED', code: 'NONE' })).toBe(2);
    expect(valueOf(samples, 'picsi_jobs_finished_total', { status: 'FAILED', code: 'TIMEOUT' })).toBe(1);
    expect(valueOf(samples, 'picsi_jobs_finished_total', { status: 'FAILED', code: 'OTHER' })).toBe(1);
    expect(valueOf(samples, 'picsi_jobs_finished_total', { status: 'CANCELLED', code: 'CANCELLED' })).toBe(1);
    expect(valueOf(samples, 'picsi_job_run_seconds_count')).toBe(4);
    expect(valueOf(samples, 'picsi_job_run_seconds_sum')).toBeCloseTo(125.5);
  });

  it('buckets job seconds from 10 ms to 300 s, cumulatively', async () => {
    expect(JOB_SECONDS_BUCKETS[0]).toBe(0.01);
    expect(JOB_SECONDS_BUCKETS.at(-1)).toBe(300);
    const { samples } = await scrape({}, (m) => [0.004, 0.01, 2, 299, 1000].forEach((s) => m.jobStarted(s)));
    const bucket = (le: string) => valueOf(samples, 'picsi_job_queue_wait_seconds_bucket', { le });
    expect(bucket('0.01')).toBe(2);
    expect(bucket('2.5')).toBe(3);
    expect(bucket('300')).toBe(4);
    expect(bucket('+Inf')).toBe(5);
    expect(valueOf(samples, 'picsi_job_queue_wait_seconds_count')).toBe(5);
  });

  it('labels channel time by channel, callbacks by outcome, 429s by route, blob errors by operation', async () => {
    const { samples } = await scrape({}, (m) => {
      m.channelBusy('111111', 2.5);
      m.channelBusy('111111', 1.5);
      m.channelBusy('222222', 1);
      m.callbackOutcome('delivered');
      m.callbackOutcome('retry');
      m.callbackOutcome('retry');
      m.discordRateLimited('interactions');
      m.gatewayReconnect();
      m.blobStoreError('put');
    });
    expect(valueOf(samples, 'picsi_channel_busy_seconds_total', { channel: '111111' })).toBe(4);
    expect(valueOf(samples, 'picsi_channel_busy_seconds_total', { channel: '222222' })).toBe(1);
    expect(valueOf(samples, 'picsi_callback_deliveries_total', { outcome: 'retry' })).toBe(2);
    expect(valueOf(samples, 'picsi_callback_deliveries_total', { outcome: 'delivered' })).toBe(1);
    expect(valueOf(samples, 'picsi_discord_rate_limited_total', { route: 'interactions' })).toBe(1);
    expect(valueOf(samples, 'picsi_discord_gateway_reconnects_total')).toBe(1);
    expect(valueOf(samples, 'picsi_blob_store_errors_total', { operation: 'put' })).toBe(1);
  });

  it('maps codes and Discord paths to bounded label values', () => {
    expect(jobCodeLabel(null)).toBe('NONE');
    expect(jobCodeLabel('BOT_ERROR')).toBe('BOT_ERROR');
    expect(jobCodeLabel('toString')).toBe('OTHER');
    expect(discordRouteOf('/interactions')).toBe('interactions');
    expect(discordRouteOf('/api/v9/channels/123/attachments')).toBe('attachments');
    expect(discordRouteOf('/attachments/refresh-urls')).toBe('attachments');
    expect(discordRouteOf('/channels/123/messages?limit=50')).toBe('messages');
    expect(discordRouteOf('/guilds/9/application-command-index')).toBe('commands');
    expect(discordRouteOf('/gateway')).toBe('gateway');
    expect(discordRouteOf('/users/@me')).toBe('other');
  });
});

describe('scrape-time gauges', () => {
  it('reads each source once per scrape and reports its numbers', async () => {
    const jobCounts = vi.fn(async () => ({ queued: 7, running: 2 }));
    const channels = vi.fn(async () => ({ total: 4, busy: 2 }));
    const { registry } = createMetricsRegistry({ jobCounts, channels }, { defaultMetrics: false });
    const { samples } = parseExposition(await registry.metrics());
    expect(valueOf(samples, 'picsi_queue_depth')).toBe(7);
    expect(valueOf(samples, 'picsi_jobs_running')).toBe(2);
    expect(valueOf(samples, 'picsi_channels_total')).toBe(4);
    expect(valueOf(samples, 'picsi_channels_busy')).toBe(2);
    expect(jobCounts).toHaveBeenCalledTimes(1);
    expect(channels).toHaveBeenCalledTimes(1);

    jobCounts.mockResolvedValue({ queued: 0, running: 0 });
    const next = parseExposition(await registry.metrics()).samples;
    expect(valueOf(next, 'picsi_queue_depth')).toBe(0);
    expect(jobCounts).toHaveBeenCalledTimes(2);
  });

  it('reports NaN (unknown) when a source fails, and the scrape still succeeds', async () => {
    const { samples } = await scrape({ channels: async () => Promise.reject(new Error('redis down')) });
    expect(valueOf(samples, 'picsi_channels_busy')).toBeNaN();
    expect(valueOf(samples, 'picsi_channels_total')).toBeNaN();
  });

  it('has no gauge for a source that was not given', async () => {
    const { types } = await scrape({ channels: async () => ({ total: 1, busy: 0 }) });
    expect(types.has('picsi_queue_depth')).toBe(false);
    expect(types.has('picsi_channels_busy')).toBe(true);
  });
});

describe('recordFinished (the job-service wiring)', () => {
  const job = (patch: Partial<Job>): Job =>
    ({
      status: 'COMPLETED',
      code: null,
      instance: 'i-here',
      channel: '111111',
      created: '2026-01-01T00:00:00.000Z',
      startedAt: '2026-01-01T00:00:02.000Z',
      finishedAt: '2026-01-01T00:00:05.500Z',
      ...patch,
    }) as Job;
  const calls = (finished: Job) => {
    const metrics = { ...noopMetrics, jobFinished: vi.fn(), jobStarted: vi.fn(), channelBusy: vi.fn() };
    recordFinished(finished, metrics);
    return metrics;
  };

  it('a job that ran here (whichever instance accepted it): finished with its run time, queue wait and channel time from its timestamps', () => {
    const m = calls(job({ instance: 'i-elsewhere' }));
    expect(m.jobFinished).toHaveBeenCalledWith('COMPLETED', null, 3.5);
    expect(m.jobStarted).toHaveBeenCalledWith(2);
    expect(m.channelBusy).toHaveBeenCalledWith('111111', 3.5);
  });

  it('a job cancelled while queued: finished, no run, no queue wait', () => {
    const m = calls(job({ status: 'CANCELLED', code: 'CANCELLED', startedAt: null, channel: null }));
    expect(m.jobFinished).toHaveBeenCalledWith('CANCELLED', 'CANCELLED', null);
    expect(m.jobStarted).not.toHaveBeenCalled();
    expect(m.channelBusy).not.toHaveBeenCalled();
  });

  it('a job of a dead instance reaped here: counted as finished, its run is not timed here', () => {
    const m = calls(job({ status: 'FAILED', code: 'EXECUTOR_LOST', instance: 'i-dead' }));
    expect(m.jobFinished).toHaveBeenCalledWith('FAILED', 'EXECUTOR_LOST', null);
    expect(m.jobStarted).not.toHaveBeenCalled();
    expect(m.channelBusy).not.toHaveBeenCalled();
  });
});

describe('instrumentJobService', () => {
  it('counts a submit only when it succeeds, forwards everything else, and stops listening on stop()', async () => {
    const listeners = new Set<(job: Job) => void>();
    const submit = vi.fn().mockResolvedValueOnce({ id: 'j1' }).mockRejectedValueOnce(new Error('queue full'));
    const service = {
      instanceId: 'i-here',
      submit,
      ready: async () => true,
      onTerminal: (listener: (job: Job) => void) => (listeners.add(listener), () => listeners.delete(listener)),
    } as unknown as JobService & { instanceId: string };
    const metrics = { ...noopMetrics, jobAccepted: vi.fn(), jobFinished: vi.fn() };
    const { jobs, stop } = instrumentJobService(service, metrics);

    await expect(jobs.submit({} as never)).resolves.toEqual({ id: 'j1' });
    await expect(jobs.submit({} as never)).rejects.toThrow('queue full');
    expect(metrics.jobAccepted).toHaveBeenCalledTimes(1);
    expect(await jobs.ready()).toBe(true);
    expect(jobs.instanceId).toBe('i-here');

    for (const listener of listeners) listener({ status: 'CANCELLED', code: 'CANCELLED', instance: 'i-here', startedAt: null } as Job);
    expect(metrics.jobFinished).toHaveBeenCalledWith('CANCELLED', 'CANCELLED', null);
    stop();
    expect(listeners.size).toBe(0);
  });
});
