/** replyUrl through the whole API: signed delivery once the job is terminal, SSRF refusal at picsi time. */
import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../helpers/images.js';
import { PICSI_MUTATION, postJson, postMultipart } from '../helpers/graphql-http.js';
import { startStack, type Stack } from '../helpers/stack.js';

const SECRET = 'a-callback-secret-of-enough-length';
let stack: Stack;
let receiver: Server;
let receiverUrl: string;
const received: { headers: Record<string, string>; body: string }[] = [];
let png: Buffer;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  stack = await startStack({ env: { CALLBACK_SECRET: SECRET, CALLBACK_ALLOW_HOSTS: '127.0.0.1' } });
  png = await makePng(16, 16);
});
afterAll(async () => {
  await stack.stop();
  receiver.close();
});

const files = () => ({
  'input.sourceImage': { bytes: png, filename: 's.png', type: 'image/png' },
  'input.targetImage': { bytes: png, filename: 't.png', type: 'image/png' },
});

describe('replyUrl callbacks end to end', () => {
  it('POSTs the finished job once, signed, with replyRef, and shows the delivery on the job', async () => {
    const res = await postMultipart<{ picsi: { id: string; status: string } }>(
      stack.url,
      PICSI_MUTATION,
      { input: { sourceImage: null, targetImage: null, replyUrl: receiverUrl, replyRef: 'order-7', wait: true } },
      files(),
    );
    const id = res.body.data!.picsi.id;
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    const [delivery] = received;
    const payload = new Webhook(Buffer.from(SECRET).toString('base64')).verify(delivery!.body, delivery!.headers) as {
      jobid: string;
      status: string;
      replyRef: string;
      attachments: unknown[];
    };
    expect(payload).toMatchObject({ jobid: id, status: 'completed', replyRef: 'order-7' });
    expect(payload.attachments).toHaveLength(1);
    await expect
      .poll(
        async () =>
          (
            await postJson<{ job: { callback: { status: string; attempts: number } | null } }>(
              stack.url,
              'query ($id: ID!) { job(id: $id) { callback { status attempts } } }',
              { id },
            )
          ).body.data?.job.callback,
        { timeout: 5000 },
      )
      .toEqual({ status: 'DELIVERED', attempts: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(1);
  });

  it('refuses a private-address replyUrl at picsi time', async () => {
    for (const url of ['http://10.0.0.5/hook', 'http://169.254.169.254/latest/meta-data', 'http://localhost:9/x']) {
      const res = await postMultipart(
        stack.url,
        PICSI_MUTATION,
        { input: { sourceImage: null, targetImage: null, replyUrl: url } },
        files(),
      );
      expect(res.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(res.body.errors?.[0]?.message).toMatch(/^replyUrl is refused/);
    }
  });
});
