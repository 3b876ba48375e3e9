/** Account alerts go through the callbacks' delivery: the SSRF guard, retries on 5xx, the signature. */
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertSender, type AlertSender } from '../../src/callbacks/account-alerts.js';
import { callbackConfig, captureLogger, newSecret, startReceiver, waitFor, type Receiver } from './helpers.js';

let receiver: Receiver | undefined;
let sender: AlertSender | undefined;
afterEach(async () => {
  await sender?.close();
  await receiver?.close();
});

const alert = { type: 'account.needs_person', channel: '100000000000000001', state: 'NEEDS_PERSON', reason: 'CAPTCHA' };

describe('account alerts', () => {
  it('retries a receiver that fails, and signs every attempt with the same id', async () => {
    const secret = newSecret();
    receiver = await startReceiver((n) => ({ status: n < 2 ? 503 : 204 }));
    sender = createAlertSender({
      url: receiver.url,
      callbacks: callbackConfig({ secret, allowHosts: ['127.0.0.1'] }),
      logger: captureLogger().logger,
      backoff: { baseMs: 10, capMs: 20 },
    });
    sender.send(alert);
    await waitFor(() => receiver!.requests.length === 3, 5000, 'three attempts');
    const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    for (const r of receiver.requests)
      expect(new Webhook(secret).verify(r.body, r.headers as Record<string, string>)).toMatchObject({ ...alert, id: [...ids][0] });
  });

  it('refuses a private address unless CALLBACK_ALLOW_HOSTS exempts it (nothing is sent)', async () => {
    receiver = await startReceiver();
    const captured = captureLogger();
    sender = createAlertSender({ url: receiver.url, callbacks: callbackConfig({ allowHosts: [] }), logger: captured.logger });
    sender.send(alert);
    await waitFor(() => captured.lines().some((l) => l.msg === 'account alert refused (not retried)'), 5000, 'the refusal');
    expect(receiver.requests).toHaveLength(0);
  });

  it('without ACCOUNT_ALERT_URL sends nothing', async () => {
    sender = createAlertSender({ url: null, callbacks: callbackConfig(), logger: captureLogger().logger });
    expect(() => sender!.send(alert)).not.toThrow();
  });
});
