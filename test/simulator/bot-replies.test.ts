import { describe, expect, it } from 'vitest';
import { BOT_REPLIES, botReply } from '../../src/discord/bot-replies.js';
import type { BotErrorKind } from '../../src/discord/bot-replies.js';

const KINDS: BotErrorKind[] = ['NO_FACE', 'INVALID_OPTION', 'CREDITS_EXHAUSTED', 'DAILY_LIMIT'];

describe('bot reply table', () => {
  it('has exactly one row per kind, with distinct codes', () => {
    expect(BOT_REPLIES.map((r) => r.kind).sort()).toEqual([...KINDS].sort());
    expect(new Set(BOT_REPLIES.map((r) => r.code)).size).toBe(BOT_REPLIES.length);
  });

  it.each(KINDS)('the %s sample is matched by its own pattern and by no other', (kind) => {
    const matching = BOT_REPLIES.filter((r) => r.pattern.test(botReply(kind).sample)).map((r) => r.kind);
    expect(matching).toEqual([kind]);
  });

  it('patterns are case-insensitive and do not match a result message', () => {
    expect(botReply('NO_FACE').pattern.test('NO FACE DETECTED')).toBe(true);
    expect(BOT_REPLIES.some((r) => r.pattern.test('<@1234567890>'))).toBe(false);
  });
});
