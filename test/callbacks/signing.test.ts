import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createSigner, standardSecret, webhookId } from '../../src/callbacks/signing.js';
import { newSecret } from './helpers.js';

/** The node:crypto verification from src/callbacks/README.md, verbatim. */
function verifyWithNodeCrypto(
  rawBody: string,
  headers: Record<string, string | undefined>,
  secret: string,
  toleranceSeconds = 300,
): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

describe('Standard Webhooks signing', () => {
  const body = JSON.stringify({ jobid: 'j1', status: 'completed', content: 'é ✓' });

  it('signs id.timestamp.body so standardwebhooks and plain node:crypto both verify it', () => {
    const secret = newSecret();
    const headers = createSigner(secret).headers(webhookId('j1'), Date.now(), body);
    expect(headers['webhook-id']).toBe('msg_j1');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(verifyWithNodeCrypto(body, headers, secret)).toBe(true);
  });

  it('a wrong secret, a changed body or a changed id fails verification', () => {
    const secret = newSecret();
    const headers = createSigner(secret).headers('msg_j1', Date.now(), body);
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(secret).verify(body.replace('completed', 'failed'), headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_j2' })).toThrow(/No matching signature/);
    expect(verifyWithNodeCrypto(body.replace('completed', 'failed'), headers, secret)).toBe(false);
    expect(verifyWithNodeCrypto(body, headers, newSecret())).toBe(false);
  });

  it('a secret not in whsec_ form is used as its UTF-8 bytes; receivers use standardSecret(secret) or the raw bytes', () => {
    const plain = 'a-plain-secret-of-32-characters!';
    const headers = createSigner(plain).headers('msg_j1', Date.now(), body);
    expect(standardSecret(plain)).toBe(`whsec_${Buffer.from(plain).toString('base64')}`);
    expect(new Webhook(standardSecret(plain)).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(plain, { format: 'raw' }).verify(body, headers)).toEqual(JSON.parse(body));
    expect(verifyWithNodeCrypto(body, headers, plain)).toBe(true);
  });

  it('the timestamp header is the injected clock, in whole seconds', () => {
    const headers = createSigner(newSecret()).headers('msg_j1', 1_700_000_123_987, body);
    expect(headers['webhook-timestamp']).toBe('1700000123');
  });

  it('without a secret: id and timestamp, no signature', () => {
    const signer = createSigner(null);
    expect(signer.signing).toBe(false);
    expect(signer.headers('msg_j1', 1_700_000_000_000, body)).toEqual({ 'webhook-id': 'msg_j1', 'webhook-timestamp': '1700000000' });
  });

  it('refuses a whsec_ secret whose key is not base64', () => {
    expect(() => createSigner('whsec_not*base64*at*all')).toThrow(/not a base64 key/);
    expect(() => createSigner('whsec_abc')).toThrow(/not a base64 key/);
  });
});
