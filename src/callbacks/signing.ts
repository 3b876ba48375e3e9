/**
 * Standard Webhooks headers (https://www.standardwebhooks.com): `webhook-id` (stable per job, so a
 * receiver can deduplicate retries), `webhook-timestamp` (this attempt, integer seconds) and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), computed by the
 * standardwebhooks library.
 *
 * The key: a secret in the standard form `whsec_<base64>` is the base64-decoded bytes (receivers pass
 * it unchanged to any Standard Webhooks library); any other secret is its UTF-8 bytes (receivers pass
 * `'whsec_' + base64(secret)`, or use the raw-key option of their library).
 */
import { Webhook } from 'standardwebhooks';

const PREFIX = 'whsec_';

export interface WebhookSigner {
  /** Whether a signature is added (false when no secret is configured). */
  readonly signing: boolean;
  headers(messageId: string, nowMs: number, body: string): Record<string, string>;
}

/** The secret in the standard `whsec_<base64>` form, whatever form it was configured in. */
export function standardSecret(secret: string): string {
  return secret.startsWith(PREFIX) ? secret : PREFIX + Buffer.from(secret, 'utf8').toString('base64');
}

/** The id a receiver sees in `webhook-id`: one per job, the same on every retry and instance. */
export const webhookId = (jobId: string): string => `msg_${jobId}`;

export function createSigner(secret: string | null): WebhookSigner {
  let webhook: Webhook | null = null;
  if (secret !== null) {
    const standard = standardSecret(secret);
    const invalid = new Error('CALLBACK_SECRET starts with whsec_ but the rest is not a base64 key');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(standard.slice(PREFIX.length))) throw invalid;
    try {
      webhook = new Webhook(standard);
    } catch {
      throw invalid;
    }
  }
  return {
    signing: webhook !== null,
    headers(messageId, nowMs, body) {
      const timestamp = new Date(nowMs);
      const headers: Record<string, string> = {
        'webhook-id': messageId,
        'webhook-timestamp': String(Math.floor(nowMs / 1000)),
      };
      if (webhook !== null) headers['webhook-signature'] = webhook.sign(messageId, timestamp, body);
      return headers;
    },
  };
}
