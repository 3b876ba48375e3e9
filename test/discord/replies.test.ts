/**
 * The reply classifier table and the waiter routing, on hand-made messages: shapes the simulator
 * does not send (partial updates, a new message instead of an edit, messages before the
 * interaction id is known, unknown red embeds, other users' and apps' messages).
 */
import { MessageFlags } from 'discord-api-types/v10';
import type { APIMessage } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { ERROR_EMBED_COLOURS } from '../../src/discord/bot-replies.js';
import { INSIGHTFACESWAP_APPLICATION_ID } from '../../src/discord/protocol.js';
import { classifyReply, UNKNOWN_BOT_ERROR } from '../../src/discord/reply-classifier.js';
import { ReplyMatcher } from '../../src/discord/reply-matcher.js';
import type { ReplyOutcome } from '../../src/discord/reply-matcher.js';

const APP = INSIGHTFACESWAP_APPLICATION_ID;
const LOADING = MessageFlags.Loading;
const NO_FACE_TEXT = 'No face detected in the source image.';
const attachment = {
  id: '9',
  filename: 'r.png',
  size: 10,
  url: 'https://cdn/x.png',
  proxy_url: 'https://media/x.png',
  width: 2,
  height: 3,
  content_type: 'image/png',
};

function message(over: Partial<APIMessage> & { id: string }): Partial<APIMessage> {
  return {
    channel_id: 'c1',
    author: { id: APP, username: 'bot', discriminator: '0', global_name: null, avatar: null },
    content: '',
    embeds: [],
    attachments: [],
    flags: 0 as MessageFlags,
    timestamp: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}
const meta = (id: string): APIMessage['interaction_metadata'] => ({
  id,
  type: 2,
  user: { id: 'u1', username: 'u', discriminator: '0', global_name: null, avatar: null },
  authorizing_integration_owners: {},
});

describe('classifier', () => {
  it('LOADING is a placeholder even with text; attachments are a result even on a LOADING message', () => {
    expect(classifyReply({ id: '1', flags: LOADING, content: 'thinking' })).toEqual({ kind: 'loading' });
    expect(classifyReply({ id: '1', attachments: [attachment] })).toMatchObject({ kind: 'result' });
    expect(classifyReply({ id: '1', flags: LOADING, attachments: [attachment] })).toMatchObject({ kind: 'result' });
  });

  it('the verdict carries the whole visible text: content, then embed title, description, fields, footer', () => {
    const verdict = classifyReply({
      id: '1',
      content: 'Hey',
      embeds: [
        {
          title: 'Error',
          description: NO_FACE_TEXT,
          fields: [{ name: 'Tip', value: 'use a photo' }],
          footer: { text: 'InsightFaceSwap' },
          color: 1,
        },
      ],
    });
    expect(verdict).toEqual({
      kind: 'botError',
      reason: 'NO_FACE',
      text: `Hey\nError\n${NO_FACE_TEXT}\nTip\nuse a photo\nInsightFaceSwap`,
    });
  });

  it.each(ERROR_EMBED_COLOURS)(
    'an unrecognised embed of error colour %i → UNKNOWN; unrecognised plain text is progress, not final',
    (color) => {
      expect(classifyReply({ id: '1', embeds: [{ description: 'Something odd happened', color }] })).toEqual({
        kind: 'botError',
        reason: UNKNOWN_BOT_ERROR,
        text: 'Something odd happened',
      });
      expect(classifyReply({ id: '1', content: 'Swapping faces… 50%' })).toEqual({ kind: 'progress', text: 'Swapping faces… 50%' });
    },
  );
});

describe('matcher', () => {
  const setup = (): { m: ReplyMatcher; outcome: () => ReplyOutcome | undefined; waiter: ReturnType<ReplyMatcher['register']> } => {
    const m = new ReplyMatcher(APP, () => 'u1');
    const waiter = m.register({ nonce: 'n1', channelId: 'c1', sentAtMs: 0 });
    let outcome: ReplyOutcome | undefined;
    let failure: Error | undefined;
    waiter.outcome.then(
      (o) => (outcome = o),
      (err: unknown) => (failure = err instanceof Error ? err : new Error(String(err))),
    );
    const settled = (): ReplyOutcome | undefined => {
      if (failure) throw failure;
      return outcome;
    };
    return { m, outcome: settled, waiter };
  };
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

  it('placeholder, then a partial MESSAGE_UPDATE without author → the merged result', async () => {
    const { m, outcome, waiter } = setup();
    m.handleDispatch('INTERACTION_CREATE', { id: 'i1', nonce: 'n1' });
    m.handleDispatch('MESSAGE_CREATE', message({ id: 'm1', flags: LOADING, interaction_metadata: meta('i1') }));
    await tick();
    expect(outcome()).toBeUndefined();
    expect(waiter.progress()).toMatchObject({ interactionId: 'i1', placeholderId: 'm1' });
    m.handleDispatch('MESSAGE_UPDATE', { id: 'm1', channel_id: 'c1', flags: 0, attachments: [attachment], content: 'done' });
    await tick();
    expect(outcome()).toMatchObject({
      kind: 'reply',
      interactionId: 'i1',
      message: { id: 'm1', content: 'done', timestamp: '2026-01-01T00:00:00.000Z' },
    });
    expect(m.size).toBe(0);
  });

  it('a new message answering the interaction (not an edit) is the result too', async () => {
    const { m, outcome } = setup();
    m.handleDispatch('INTERACTION_SUCCESS', { id: 'i1', nonce: 'n1' });
    m.handleDispatch('MESSAGE_CREATE', message({ id: 'm1', flags: LOADING, interaction_metadata: meta('i1') }));
    m.handleDispatch('MESSAGE_CREATE', message({ id: 'm2', attachments: [attachment], interaction_metadata: meta('i1') }));
    await tick();
    expect(outcome()).toMatchObject({ kind: 'reply', message: { id: 'm2' } });
  });

  it('bot messages that arrive before INTERACTION_CREATE are kept and matched once the id is known', async () => {
    const { m, outcome } = setup();
    m.handleDispatch('MESSAGE_CREATE', message({ id: 'm1', attachments: [attachment], interaction_metadata: meta('i1') }));
    await tick();
    expect(outcome()).toBeUndefined();
    m.handleDispatch('INTERACTION_CREATE', { id: 'i1', nonce: 'n1' });
    await tick();
    expect(outcome()).toMatchObject({ kind: 'reply', message: { id: 'm1' } });
  });

  it('a message carrying our nonce matches directly', async () => {
    const { m, outcome } = setup();
    m.handleDispatch('MESSAGE_CREATE', message({ id: 'm1', nonce: 'n1', content: NO_FACE_TEXT }));
    await tick();
    expect(outcome()).toMatchObject({ kind: 'reply', verdict: { kind: 'botError' } });
  });

  it("other interactions, other apps' and users' messages are ignored", async () => {
    const { m, outcome } = setup();
    m.handleDispatch('INTERACTION_CREATE', { id: 'i1', nonce: 'n1' });
    m.handleDispatch('MESSAGE_CREATE', message({ id: 'm1', attachments: [attachment], interaction_metadata: meta('other') }));
    m.handleDispatch('MESSAGE_CREATE', {
      ...message({ id: 'm2', attachments: [attachment], interaction_metadata: meta('i1') }),
      author: { id: '777', username: 'x', discriminator: '0', global_name: null, avatar: null },
    });
    m.handleDispatch('INTERACTION_FAILURE', { id: 'other', nonce: 'other', reason_code: 2 });
    await tick();
    expect(outcome()).toBeUndefined();
    m.handleDispatch('INTERACTION_FAILURE', { id: 'i1', nonce: 'n1', reason_code: 2 });
    await tick();
    expect(outcome()).toEqual({ kind: 'interactionFailure', interactionId: 'i1', reasonCode: 2 });
  });

  it('orphaned (new session, interaction id never seen): matches the bot answer in the channel to our user', async () => {
    const { m, outcome, waiter } = setup();
    waiter.markSent();
    let orphaned = 0;
    waiter.onOrphaned(() => (orphaned += 1));
    m.sessionReplaced();
    expect(orphaned).toBe(1);
    // Another channel, then the right one.
    m.handleDispatch(
      'MESSAGE_UPDATE',
      message({ id: '1575055855479427084', channel_id: 'c2', attachments: [attachment], interaction_metadata: meta('i9') }),
    );
    await tick();
    expect(outcome()).toBeUndefined();
    waiter.offer(message({ id: '1575055855479427085', attachments: [attachment], interaction_metadata: meta('i9') }) as APIMessage);
    await tick();
    expect(outcome()).toMatchObject({ kind: 'reply', interactionId: 'i9' });
  });

  it('a session replaced while the command was on its way orphans the waiter when the 204 lands', () => {
    const { m, waiter } = setup();
    let orphaned = 0;
    waiter.onOrphaned(() => (orphaned += 1));
    m.sessionReplaced();
    expect(orphaned).toBe(0);
    waiter.markSent();
    expect(orphaned).toBe(1);
    expect(waiter.progress().orphaned).toBe(true);
  });

  it('dispose removes the waiter; failAll settles the rest', async () => {
    const { m, waiter } = setup();
    const other = m.register({ nonce: 'n2', channelId: 'c1', sentAtMs: 0 });
    waiter.dispose();
    expect(m.size).toBe(1);
    m.failAll(new Error('closed'));
    await expect(other.outcome).resolves.toMatchObject({ kind: 'sessionEnded' });
    expect(m.size).toBe(0);
  });
});
