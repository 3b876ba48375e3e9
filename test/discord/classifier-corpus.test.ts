/**
 * The driver's reply classifier against its own corpus (fixtures/bot-messages.ts): each variant
 * classified alone, and delivered through the ReplyMatcher the way the gateway would (placeholder
 * first for edits) so the merge of partial updates is covered too.
 */
import type { APIMessage, APIUser } from 'discord-api-types/v10';
import { InteractionType } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { BOT_REPLIES, botReply } from '../../src/discord/bot-replies.js';
import type { BotErrorCode } from '../../src/discord/bot-replies.js';
import { INSIGHTFACESWAP_APPLICATION_ID } from '../../src/discord/protocol.js';
import { classifyReply } from '../../src/discord/reply-classifier.js';
import { ReplyMatcher } from '../../src/discord/reply-matcher.js';
import type { ReplyOutcome } from '../../src/discord/reply-matcher.js';
import { BOT_MESSAGES } from './fixtures/bot-messages.js';
import type { BotMessageFixture, WireMessage } from './fixtures/bot-messages.js';

const bot: APIUser = {
  id: INSIGHTFACESWAP_APPLICATION_ID,
  username: 'InsightFaceSwap',
  discriminator: '0',
  global_name: null,
  avatar: null,
  bot: true,
};
const user: APIUser = { id: '4242', username: 'u', discriminator: '0', global_name: null, avatar: null };

/** What the classifier's verdict must contain for a fixture's expectation. */
function verdictShape(f: BotMessageFixture): Record<string, unknown> {
  return f.expected.kind === 'botError' ? { kind: 'botError', reason: f.expected.reason } : { kind: f.expected.kind };
}

/** A message as a full gateway create: channel, author and the link to our interaction. */
const asCreate = (m: WireMessage): Partial<APIMessage> => ({
  channel_id: 'c1',
  author: bot,
  interaction_metadata: { id: 'i1', type: InteractionType.ApplicationCommand, user, authorizing_integration_owners: {} },
  ...m,
});

async function deliver(f: BotMessageFixture): Promise<ReplyOutcome | undefined> {
  const matcher = new ReplyMatcher(INSIGHTFACESWAP_APPLICATION_ID, () => user.id);
  const waiter = matcher.register({ nonce: 'n1', channelId: 'c1', sentAtMs: 0, ...(f.answer ? { answer: f.answer } : {}) });
  matcher.handleDispatch('INTERACTION_CREATE', { id: 'i1', nonce: 'n1' });
  if (f.editOf) {
    matcher.handleDispatch('MESSAGE_CREATE', asCreate(f.editOf));
    matcher.handleDispatch('MESSAGE_UPDATE', f.message);
  } else {
    matcher.handleDispatch('MESSAGE_CREATE', asCreate(f.message));
  }
  // The outcome if the messages above settled it, undefined if it is still pending.
  const outcome = await Promise.race([waiter.outcome, new Promise<undefined>((r) => setImmediate(() => r(undefined)))]);
  waiter.dispose();
  return outcome;
}

describe('classifier corpus', () => {
  it('covers every error code twice, and every verdict kind', () => {
    expect(BOT_MESSAGES.length).toBeGreaterThanOrEqual(20);
    for (const row of BOT_REPLIES) {
      expect(
        BOT_MESSAGES.filter((f) => f.expected.kind === 'botError' && f.expected.reason === row.code).length,
        row.code,
      ).toBeGreaterThanOrEqual(2);
    }
    const kinds = new Set(BOT_MESSAGES.map((f) => (f.expected.kind === 'botError' ? f.expected.reason : f.expected.kind)));
    for (const kind of ['result', 'text', 'loading', 'progress', 'UNKNOWN']) expect(kinds).toContain(kind);
  });

  it.each(BOT_MESSAGES.filter((f) => !f.editOf))('$name → $expected.kind $expected.reason', (f) => {
    expect(classifyReply(f.message, f.answer)).toMatchObject(verdictShape(f));
  });

  it.each(BOT_MESSAGES.filter((f) => f.expected.kind === 'text'))('under the image rule, a text answer is progress: $name', (f) => {
    expect(classifyReply(f.message, 'image')).toMatchObject({ kind: 'progress' });
  });

  it.each(BOT_MESSAGES)('through the matcher: $name', async (f) => {
    const outcome = await deliver(f);
    if (f.expected.kind === 'loading' || f.expected.kind === 'progress') {
      expect(outcome).toBeUndefined();
    } else {
      expect(outcome).toMatchObject({ kind: 'reply', interactionId: 'i1', verdict: verdictShape(f) });
    }
  });
});

describe('the pattern table', () => {
  it('has one row per code', () => {
    const codes = BOT_REPLIES.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(botReply(code).code).toBe(code);
    expect(() => botReply('NOPE' as BotErrorCode)).toThrow();
  });

  it('each error variant of the corpus is matched by its own row only', () => {
    for (const f of BOT_MESSAGES) {
      if (f.expected.kind !== 'botError' || f.expected.reason === 'UNKNOWN') continue;
      const text = [
        f.message.content ?? '',
        ...(f.message.embeds ?? []).flatMap((e) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).map((x) => x.value)]),
      ].join('\n');
      expect(
        BOT_REPLIES.filter((r) => r.pattern.test(text)).map((r) => r.code),
        f.name,
      ).toEqual([f.expected.reason]);
    }
  });
});
