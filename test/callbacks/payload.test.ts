import { describe, expect, it } from 'vitest';
import { toHostedJson } from '../../src/callbacks/index.js';
import { sampleJob } from './helpers.js';

describe('toHostedJson: the job under the hosted API field names', () => {
  it('maps every hosted field in the hosted order, then errorCode, and nothing else', () => {
    const job = sampleJob({ id: 'job-1', replyUrl: 'https://hooks.example.com/picsi' });
    const seed = toHostedJson(job);
    expect(JSON.stringify(seed)).toBe(
      JSON.stringify({
        jobid: 'job-1',
        verb: 'faceswap-picsi',
        status: 'completed',
        options: '-m',
        source_image: { size: 1234, type: 'image/png' },
        target_image_gif_or_video: { size: 5678, type: 'image/gif' },
        created: '2025-01-02T03:04:05.006Z',
        updated: '2025-01-02T03:04:12.345Z',
        discord: 'MTI…xYz',
        server: '1100000000000000001',
        channel: '1200000000000000001',
        replyUrl: 'https://hooks.example.com/picsi',
        replyRef: 'order-42',
        messageId: '1300000000000000001',
        content: 'Done!',
        attachments: [
          {
            id: '1400000000000000001',
            content_type: 'image/gif',
            filename: 'result.gif',
            url: 'https://cdn.discordapp.com/attachments/1/2/result.gif?ex=1',
            proxy_url: 'https://media.discordapp.net/attachments/1/2/result.gif?ex=1',
            size: 99999,
            width: 512,
            height: 512,
          },
        ],
        timestamp: '2025-01-02T03:04:12.000Z',
        error: null,
        errorDetails: null,
        code: 200,
        errorCode: null,
      }),
    );
  });

  it('sends a failure with its code and lower-case status; absent values are null, not omitted', () => {
    const seed = toHostedJson(
      sampleJob({
        status: 'FAILED',
        code: 'TIMEOUT',
        error: 'The bot did not reply',
        errorDetails: '{"ms":120000}',
        messageId: null,
        content: null,
        attachments: [],
        timestamp: null,
        replyRef: null,
      }),
    );
    expect(seed).toMatchObject({
      status: 'failed',
      code: 504,
      errorCode: 'TIMEOUT',
      error: 'The bot did not reply',
      errorDetails: '{"ms":120000}',
      attachments: [],
      replyRef: null,
    });
    expect(Object.keys(seed)).toContain('messageId');
    expect(seed.messageId).toBeNull();
    expect(toHostedJson(sampleJob({ status: 'CANCELLED', code: 'CANCELLED' }))).toMatchObject({ status: 'cancelled', code: 409 });
    expect(toHostedJson(sampleJob({ status: 'QUEUED', channel: null, requestedChannel: null }))).toMatchObject({
      status: 'created',
      code: null,
      channel: null,
    });
  });

  it('leaks no bookkeeping (owner, instance, version, callback, file names)', () => {
    const text = JSON.stringify(toHostedJson(sampleJob({ owner: 'secret-owner', instance: 'node-9' })));
    for (const leaked of ['secret-owner', 'node-9', 'version', 'callback', 'face.png', 'startedAt']) expect(text).not.toContain(leaked);
  });
});
