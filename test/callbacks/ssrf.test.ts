/** The SSRF guard: refused at picsi time (checkUrl), and re-checked after DNS at delivery. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallbackDispatcher } from '../../src/callbacks/index.js';
import { createMemoryStore } from '../../src/callbacks/store.js';
import { AppError } from '../../src/errors.js';
import { callbackConfig, harness, MapJobs, sampleJob, silentLogger, waitFor, type Harness } from './helpers.js';

const guard = (allowHosts: string[] = []) =>
  createCallbackDispatcher({
    config: callbackConfig({ allowHosts }),
    store: createMemoryStore({ doneTtlMs: 60_000, now: Date.now }),
    jobs: new MapJobs(),
    logger: silentLogger(),
  });

async function refusal(url: string, allowHosts: string[] = []): Promise<AppError> {
  const error: unknown = await guard(allowHosts)
    .checkUrl(url)
    .then(
      () => null,
      (e: unknown) => e,
    );
  if (!(error instanceof AppError)) throw new Error(`${url} was not refused with an AppError (got ${String(error)})`);
  return error;
}

describe('checkUrl (picsi time)', () => {
  it.each([
    ['http://127.0.0.1:8080/hook', '127.0.0.1 is a loopback address'],
    ['http://127.1/hook', '127.0.0.1 is a loopback address'],
    ['http://2130706433/hook', '127.0.0.1 is a loopback address'],
    ['http://0x7f.0.0.1/hook', '127.0.0.1 is a loopback address'],
    ['http://[::1]/hook', '::1 is a loopback address'],
    ['http://10.1.2.3/hook', '10.1.2.3 is a private (RFC 1918) address'],
    ['http://172.16.0.1/hook', '172.16.0.1 is a private (RFC 1918) address'],
    ['http://172.31.255.254/hook', '172.31.255.254 is a private (RFC 1918) address'],
    ['http://192.168.1.1/hook', '192.168.1.1 is a private (RFC 1918) address'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a cloud metadata address'],
    ['http://169.254.10.10/hook', '169.254.10.10 is a link-local address'],
    ['http://100.64.0.1/hook', '100.64.0.1 is a carrier-grade NAT (RFC 6598) address'],
    ['http://100.127.255.254/hook', '100.127.255.254 is a carrier-grade NAT (RFC 6598) address'],
    ['http://[fd00::1]/hook', 'fd00::1 is a unique-local (private IPv6) address'],
    ['http://[fd00:ec2::254]/hook', 'fd00:ec2::254 is a cloud metadata address'],
    ['http://[fe80::1]/hook', 'fe80::1 is a link-local address'],
    ['http://[::ffff:127.0.0.1]/hook', '::ffff:127.0.0.1 is an IPv4-mapped IPv6 address'],
    ['http://[::ffff:8.8.8.8]/hook', '::ffff:8.8.8.8 is an IPv4-mapped IPv6 address'],
    ['http://[64:ff9b::a00:1]/hook', '64:ff9b::a00:1 is a NAT64 (IPv4-embedding) address'],
    ['http://0.0.0.0/hook', '0.0.0.0 is an unspecified address'],
    ['http://[::]/hook', ':: is an unspecified address'],
    ['http://255.255.255.255/hook', '255.255.255.255 is a broadcast address'],
    ['http://224.0.0.1/hook', '224.0.0.1 is a multicast address'],
    ['http://localhost:4000/hook', 'localhost is a loopback name'],
    ['http://LOCALHOST./hook', 'localhost is a loopback name'],
    ['http://api.localhost/hook', 'api.localhost is a loopback name'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal is a cloud metadata name'],
    ['http://db.corp.internal/hook', 'db.corp.internal is an internal-only name (.internal)'],
    ['http://printer.local/hook', 'printer.local is a multicast-DNS name (.local)'],
    ['http://metadata/computeMetadata/v1/', 'metadata is a single-label name, which resolves through local search domains'],
  ])('refuses %s with BAD_USER_INPUT', async (url, reason) => {
    const error = await refusal(url);
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toBe(
      `replyUrl is refused: ${reason} (callbacks must go to a public host; an operator can allow this host with CALLBACK_ALLOW_HOSTS)`,
    );
    expect(error.extensions).toEqual({ field: 'replyUrl' });
  });

  it.each([
    ['ftp://example.com/hook', 'replyUrl must be an absolute http(s) URL'],
    ['file:///etc/passwd', 'replyUrl must be an absolute http(s) URL'],
    ['/relative/hook', 'replyUrl must be an absolute http(s) URL'],
    ['https://user:pass@example.com/hook', 'replyUrl must not carry credentials'],
  ])('refuses %s: %s', async (url, message) => {
    expect((await refusal(url)).message).toBe(message);
  });

  it.each([
    'https://hooks.example.com/picsi?x=1',
    'http://93.184.215.14:8080/hook',
    'https://[2606:4700:4700::1111]/hook',
    'https://sub.domain.example.org./h',
  ])('accepts the public URL %s', async (url) => {
    await expect(guard().checkUrl(url)).resolves.toBeUndefined();
  });

  it('the allow-list (host names, IPs, CIDRs) lets an operator permit private hosts', async () => {
    await expect(guard(['127.0.0.1']).checkUrl('http://127.0.0.1:9/hook')).resolves.toBeUndefined();
    await expect(guard(['10.0.0.0/8']).checkUrl('http://10.9.8.7/hook')).resolves.toBeUndefined();
    await expect(guard(['::1']).checkUrl('http://[::1]:9/hook')).resolves.toBeUndefined();
    await expect(guard(['127.0.0.1']).checkUrl('http://[::ffff:127.0.0.1]/hook')).resolves.toBeUndefined();
    await expect(guard(['localhost']).checkUrl('http://localhost:9/hook')).resolves.toBeUndefined();
    await expect(guard(['Receiver.Internal']).checkUrl('http://receiver.internal/hook')).resolves.toBeUndefined();
    // Only what is listed: a loopback IP entry does not permit the name, a /8 does not permit its neighbour.
    expect((await refusal('http://localhost:9/hook', ['127.0.0.1'])).message).toMatch(/localhost is a loopback name/);
    expect((await refusal('http://192.168.0.1/hook', ['10.0.0.0/8'])).message).toMatch(/192\.168\.0\.1 is a private/);
  });

  it('a malformed allow-list entry stops start-up', () => {
    expect(() => guard(['10.0.0.0/33'])).toThrow(/CALLBACK_ALLOW_HOSTS: "10.0.0.0\/33" is not a valid CIDR range/);
  });
});

describe('re-check at delivery, after DNS', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('a public name resolving to a private address is refused: FAILED, and no request is sent', async () => {
    // The receiver listens on 127.0.0.1: were the guard to let the address through, it would be reached.
    const receiver = await h.receiver();
    const lookups: string[] = [];
    const dispatcher = h.dispatcher({
      config: { allowHosts: [] },
      resolveHost: async (host) => {
        lookups.push(host);
        return ['127.0.0.1'];
      },
    });
    dispatcher.start();
    const url = `http://hooks.example.test:${receiver.port}/hook`;
    await expect(dispatcher.checkUrl(url)).resolves.toBeUndefined();
    const job = h.jobs.add(sampleJob({ replyUrl: url }));
    await dispatcher.onTerminal(job);
    await waitFor(() => h.jobs.callback(job.id)?.status === 'FAILED', 5_000, 'the refusal');
    await dispatcher.settled(job.id);
    expect(lookups).toEqual(['hooks.example.test']);
    expect(receiver.requests).toHaveLength(0);
    expect(h.jobs.callback(job.id)).toMatchObject({
      attempts: 1,
      lastError: 'callback URL is refused: hooks.example.test resolves to 127.0.0.1, a loopback address',
    });
  });

  it('one private address among public ones is enough to refuse', async () => {
    const dispatcher = h.dispatcher({
      config: { allowHosts: [] },
      resolveHost: async () => ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '10.1.2.3'],
    });
    dispatcher.start();
    const job = h.jobs.add(sampleJob({ replyUrl: 'https://hooks.example.test/hook' }));
    await dispatcher.onTerminal(job);
    await waitFor(() => h.jobs.callback(job.id)?.status === 'FAILED', 5_000, 'the refusal');
    expect(h.jobs.callback(job.id)?.lastError).toBe(
      'callback URL is refused: hooks.example.test resolves to 10.1.2.3, a private (RFC 1918) address',
    );
  });

  it('an allow-listed address is reached through the validated IP (pinned), with the URL host in the Host header', async () => {
    // hooks.example.test does not exist in real DNS: only the pinned address can reach the receiver.
    const receiver = await h.receiver();
    const dispatcher = h.dispatcher({ config: { allowHosts: ['127.0.0.0/8'] }, resolveHost: async () => ['127.0.0.1'] });
    dispatcher.start();
    const job = h.jobs.add(sampleJob({ replyUrl: `http://hooks.example.test:${receiver.port}/hook` }));
    await dispatcher.onTerminal(job);
    await waitFor(() => h.jobs.callback(job.id)?.status === 'DELIVERED', 5_000, 'delivery');
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers.host).toBe(`hooks.example.test:${receiver.port}`);
  });

  it('an allow-listed host name may resolve to a private address', async () => {
    const receiver = await h.receiver();
    const dispatcher = h.dispatcher({ config: { allowHosts: ['receiver.internal'] }, resolveHost: async () => ['127.0.0.1'] });
    dispatcher.start();
    const job = h.jobs.add(sampleJob({ replyUrl: `http://receiver.internal:${receiver.port}/hook` }));
    await dispatcher.onTerminal(job);
    await waitFor(() => h.jobs.callback(job.id)?.status === 'DELIVERED', 5_000, 'delivery');
    expect(receiver.requests).toHaveLength(1);
  });

  it('a literal private URL that reached delivery (e.g. CALLBACK_DEFAULT_URL) is refused there too', async () => {
    const receiver = await h.receiver();
    const dispatcher = h.dispatcher({ config: { allowHosts: [], defaultUrl: receiver.url } });
    dispatcher.start();
    const job = h.jobs.add(sampleJob({ replyUrl: null }));
    await dispatcher.onTerminal(job);
    await waitFor(() => h.jobs.callback(job.id)?.status === 'FAILED', 5_000, 'the refusal');
    expect(receiver.requests).toHaveLength(0);
    expect(h.jobs.callback(job.id)?.lastError).toMatch(/^callback URL is refused: 127\.0\.0\.1 is a loopback address/);
  });

  it('a DNS failure is retried like a network error', async () => {
    const dispatcher = h.dispatcher({
      config: { maxAttempts: 2 },
      resolveHost: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND hooks.example.test'), { code: 'ENOTFOUND' });
      },
    });
    dispatcher.start();
    const job = h.jobs.add(sampleJob({ replyUrl: 'https://hooks.example.test/hook' }));
    await dispatcher.onTerminal(job);
    await waitFor(() => h.jobs.callback(job.id)?.status === 'FAILED', 5_000, 'giving up');
    expect(h.jobs.callback(job.id)).toMatchObject({
      attempts: 2,
      lastError: 'DNS lookup of hooks.example.test failed: ENOTFOUND (gave up after 2 attempts)',
    });
  });
});
