/**
 * The driver's /picsi option names are only a fallback: it reads the real ones from the command
 * index. A simulated bot that renamed its options (as a bot update would) must still work.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DriverError } from '../../src/discord/index.js';
import { PICSI_OPTION_NAMES } from '../../src/discord/protocol.js';
import { never, removeSpooledImages, startHarness } from './harness.js';
import type { Harness } from './harness.js';

const RENAMED = { source: 'face', target: 'onto', options: 'flags' };

let h: Harness;
afterEach(async () => {
  await h.close();
});
afterAll(removeSpooledImages);

describe('option names come from the command index', () => {
  it('runs /picsi on a bot whose options are named differently from the fallback', async () => {
    const fallback: string[] = Object.values(PICSI_OPTION_NAMES);
    expect(Object.values(RENAMED).filter((n) => fallback.includes(n))).toEqual([]);
    h = await startHarness({ sim: { picsiOptionNames: RENAMED } });
    const result = await h.driver.picsi(h.command({ options: '-m' }), never());
    expect(result.attachments).toHaveLength(1);
  });

  it('the options text reaches the bot under its declared name', async () => {
    h = await startHarness({ sim: { picsiOptionNames: RENAMED } });
    const error = await h.driver.picsi(h.command({ options: '--bogus' }), never()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect(error).toMatchObject({ code: 'BOT_ERROR', reason: 'INVALID_OPTION' });
  });
});
