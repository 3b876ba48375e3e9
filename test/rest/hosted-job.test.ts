/**
 * The one hosted-API serializer (src/jobs/hosted-job.ts) and the one table of our codes in the
 * hosted API's terms (src/jobs/hosted-codes.ts), without a server.
 */
import { describe, expect, it } from 'vitest';
import { JOB_ERROR_CODES } from '../../src/errors.js';
import { HOSTED_CODES, hostedText } from '../../src/jobs/hosted-codes.js';
import { hostedCodeOf, toHostedJson } from '../../src/jobs/hosted-job.js';
import { sampleJob } from '../callbacks/helpers.js';
import { MODEL_FIELDS } from './helpers.js';

describe('toHostedJson', () => {
  it('without a view: the Model’s fields in its order, then errorCode only (the callback body)', () => {
    expect(Object.keys(toHostedJson(sampleJob()))).toEqual([...MODEL_FIELDS, 'errorCode']);
  });

  it('with a view: the same, then the REST extras; each attachment with its download link', () => {
    const download = { url: 'https://files.example/x', expiresAt: '2025-01-02T04:04:12.345Z' };
    const job = toHostedJson(sampleJob({ idname: null }), { queuePosition: null, downloads: [download] });
    expect(Object.keys(job)).toEqual([
      ...MODEL_FIELDS,
      'errorCode',
      'queuePosition',
      'creditCost',
      'idname',
      'identities',
      'defaultIdentity',
    ]);
    expect(job.attachments[0]?.download).toEqual(download);
  });

  it('names the statuses as the hosted API: a queued job is created; the channel asked for shows while queued', () => {
    expect(toHostedJson(sampleJob({ status: 'QUEUED', channel: null, requestedChannel: '42' }))).toMatchObject({
      status: 'created',
      channel: '42',
      code: null,
    });
    expect(toHostedJson(sampleJob({ status: 'STARTED' })).status).toBe('started');
  });
});

describe('the hosted codes', () => {
  it('a completed job is 200; every job code has a failure status; an unknown stored code is 500', () => {
    expect(hostedCodeOf({ status: 'COMPLETED', code: null })).toBe(200);
    for (const code of JOB_ERROR_CODES) {
      expect(hostedCodeOf({ status: 'FAILED', code })).toBe(HOSTED_CODES[code].status);
      expect(HOSTED_CODES[code].status).toBeGreaterThanOrEqual(400);
    }
    expect(hostedCodeOf({ status: 'FAILED', code: 'SOMETHING_NEW' })).toBe(500);
    expect(hostedCodeOf({ status: 'STARTED', code: null })).toBeNull();
  });

  it('words our refusals as the hosted API does, and leaves the others as they are', () => {
    expect(hostedText('UNAUTHENTICATED', 'Unauthorized: unknown API token')).toBe('Unauthorized');
    expect(hostedText('PAYMENT_REQUIRED', 'Account has no credits left today (UTC) on any configured channel')).toBe(
      'Account has no subscription or subscription expired',
    );
    expect(hostedText('BAD_USER_INPUT', 'Configuration not found for channel 42')).toBe(
      'Configuration not found for channel 42, to create POST v1/faceswap/account/42',
    );
    expect(hostedText('BAD_USER_INPUT', 'channel must be a Discord snowflake id', { value: 'abc' })).toBe(
      'Required param channel (abc) is not valid Discord channel id',
    );
    expect(hostedText('CHANNEL_BUSY', 'Unable to lock Discord after 3 attempts')).toBe('Unable to lock Discord after 3 attempts');
  });
});
