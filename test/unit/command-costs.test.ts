import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { COMMAND_COSTS, GIF_RULES, checkGifTarget, creditCost } from '../../src/jobs/command-costs.js';

const still = { format: 'png', frames: 1, bytes: 50_000 };
const gif = (frames: number, bytes = 500_000) => ({ format: 'gif', frames, bytes });

describe('creditCost', () => {
  it('a still swap costs the table price; settings commands are free', () => {
    expect(creditCost('picsi', still)).toBe(3);
    expect(creditCost('swapid', still)).toBe(3);
    for (const command of ['saveid', 'setid', 'listid', 'delid', 'delall'] as const) expect(creditCost(command, undefined)).toBe(0);
  });

  it('an animated GIF costs the plan price for /picsi and /swapid, whatever the frame count', () => {
    expect(creditCost('picsi', gif(2))).toBe(20);
    expect(creditCost('swapid', gif(20), 'basic')).toBe(20);
    expect(creditCost('picsi', gif(75), 'pro')).toBe(30);
  });

  it('a one-frame GIF is a still image; a GIF given to /saveid is not a GIF target', () => {
    expect(creditCost('picsi', gif(1))).toBe(3);
    expect(creditCost('saveid', gif(5))).toBe(0);
  });

  it('the configured PICSI_CREDIT_COST wins for /picsi on a still target only', () => {
    expect(creditCost('picsi', still, 'basic', 5)).toBe(5);
    expect(creditCost('swapid', still, 'basic', 5)).toBe(3);
    expect(creditCost('picsi', gif(3), 'basic', 5)).toBe(20);
  });

  it('every number says where it comes from; only the README limits are not inferred', () => {
    expect(Object.values(COMMAND_COSTS).every((c) => c.inferred && c.source !== '')).toBe(true);
    expect(COMMAND_COSTS.picsi.configKey).toBe('PICSI_CREDIT_COST');
    for (const rule of Object.values(GIF_RULES)) {
      expect(rule.credits.inferred).toBe(true);
      expect(rule.maxFrames.inferred).toBe(false);
      expect(rule.maxBytes.value).toBe(10 * 1024 * 1024);
    }
  });
});

describe('checkGifTarget', () => {
  const refusal = (fn: () => void): AppError => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      return err as AppError;
    }
    throw new Error('expected a refusal');
  };

  it('passes still images and GIFs within the plan', () => {
    expect(() => checkGifTarget(still)).not.toThrow();
    expect(() => checkGifTarget(gif(20), 'basic')).not.toThrow();
    expect(() => checkGifTarget(gif(75), 'pro')).not.toThrow();
  });

  it('refuses too many frames for the plan', () => {
    expect(refusal(() => checkGifTarget(gif(21), 'basic'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'GIF target has 21 frames; the basic plan allows at most 20',
      extensions: { field: 'target', max: 20 },
    });
    expect(refusal(() => checkGifTarget(gif(76), 'pro')).message).toBe('GIF target has 76 frames; the pro plan allows at most 75');
  });

  it('refuses a GIF over 10 MB, even a still one', () => {
    const err = refusal(() => checkGifTarget({ format: 'gif', frames: 1, bytes: 10 * 1024 * 1024 + 1 }, 'pro', 'image'));
    expect(err).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'image', max: 10 * 1024 * 1024 } });
    expect(err.message).toMatch(/^GIF target is 10485761 bytes; the bot accepts at most 10485760/);
  });
});
