/**
 * The driver's one command runner on the identity commands against the simulated bot: the options
 * the index declares, a text answer as the outcome, the bot's refusals as typed codes, and a
 * followed (adopted) text command read with its own answer rule.
 */
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDiscordDriver, DriverError, type CommandRun, type DiscordDriver } from '../../src/discord/index.js';
import { COMMAND_SPECS } from '../../src/discord/command-specs.js';
import { optionNamesFor } from '../../src/discord/interaction.js';
import { ApplicationCommandOptionType } from '../../src/discord/protocol.js';
import type { SentCommand } from '../../src/jobs/model.js';
import { never, removeSpooledImages, spooledImages, startHarness, until, type Harness } from './harness.js';

let h: Harness;
const extra: DiscordDriver[] = [];
afterEach(async () => {
  await Promise.all(extra.splice(0).map((d) => d.close()));
  await h.close();
});
afterAll(removeSpooledImages);

const run = (overrides: Partial<CommandRun> & Pick<CommandRun, 'command'>): CommandRun => ({
  jobId: `identity-${overrides.command}`,
  account: h.accountFor(h.account),
  options: null,
  idname: null,
  ...overrides,
});

describe('identity commands through the driver', () => {
  it('saveid, swapid, listid, delid, delall: each answer is its outcome', async () => {
    h = await startHarness();
    const { source, target } = await spooledImages();
    const saved = await h.driver.run(run({ command: 'saveid', idname: 'alice', source }), never());
    expect(saved.content).toMatch(/alice/);
    const swapped = await h.driver.run(run({ command: 'swapid', idname: 'alice', target }), never());
    expect(swapped.attachments).toEqual([expect.objectContaining({ contentType: 'image/png' })]);
    const listed = await h.driver.run(run({ command: 'listid' }), never());
    expect(listed).toMatchObject({ attachments: [], identities: { names: ['alice'], defaultId: 'alice' } });
    const deleted = await h.driver.run(run({ command: 'delid', idname: 'alice' }), never());
    expect(deleted.attachments).toEqual([]);
    expect(deleted.content).toMatch(/deleted/i);
    expect(deleted.identities).toBeUndefined();
    const none = await h.driver.run(run({ command: 'listid' }), never());
    expect(none.identities).toEqual({ names: [], defaultId: null });
    await h.driver.run(run({ command: 'delall' }), never());
    expect(h.sim.interactionsLog(h.account.channelId).map((i) => i.outcome)).toEqual(['result', 'result', 'text', 'text', 'text', 'text']);
  });

  it("the bot's refusals as typed codes: IDENTITY_NOT_FOUND, TOO_MANY_IDENTITIES, NO_FACE as BOT_ERROR", async () => {
    h = await startHarness();
    const { source, target } = await spooledImages();
    const unknown = await h.driver.run(run({ command: 'delid', idname: 'ghost' }), never()).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(DriverError);
    expect(unknown).toMatchObject({ code: 'IDENTITY_NOT_FOUND', reason: 'IDENTITY_NOT_FOUND', commandSent: true });
    await h.driver.run(run({ command: 'saveid', idname: 'bob', source }), never());
    const many = await h.driver.run(run({ command: 'swapid', idname: 'bob,bob,bob,bob,bob', target }), never()).catch((e: unknown) => e);
    expect(many).toMatchObject({ code: 'TOO_MANY_IDENTITIES' });
    h.sim.script(h.account.channelId, { kind: 'botError', error: 'NO_FACE' });
    const faceless = await h.driver.run(run({ command: 'saveid', idname: 'carol', source }), never()).catch((e: unknown) => e);
    expect(faceless).toMatchObject({ code: 'BOT_ERROR', reason: 'NO_FACE' });
  });

  it('follows a listid another session sent, reading its text answer as the outcome', async () => {
    h = await startHarness({ sim: { botDelayMs: 400 } });
    let sent: SentCommand | undefined;
    const sender = new AbortController();
    const first = h.driver.run(run({ command: 'listid' }), sender.signal, { onCommandSending: (s) => void (sent = s) }).catch(() => null);
    const harness = h;
    await until(() => harness.sim.interactionsLog(harness.account.channelId).length === 1);
    sender.abort();
    await first;
    const follower = createDiscordDriver({ apiUrl: h.sim.apiUrl, logger: pino({ level: 'silent' }), timeoutMs: 10_000, historyPollMs: 50 });
    extra.push(follower);
    const result = await follower.follow({ jobId: 'adopted', account: h.accountFor(h.account), command: sent!, kind: 'listid' }, never());
    expect(result.identities).toEqual({ names: [], defaultId: null });
    expect(h.sim.interactionsLog(h.account.channelId)).toHaveLength(1);
  });
});

describe('option names are read from the index entry', () => {
  const { Attachment, String: Text } = ApplicationCommandOptionType;
  const def = (name: string, type: ApplicationCommandOptionType) => ({ name, type, description: name }) as never;

  it('a renamed option of the right type takes the role; an exact name wins over order', () => {
    const names = optionNamesFor(COMMAND_SPECS.saveid.options, [def('photo', Attachment), def('name', Text)]);
    expect(Object.fromEntries(names)).toEqual({ idname: 'name', source: 'photo' });
    const picsi = optionNamesFor(COMMAND_SPECS.picsi.options, [
      def('target_image_gif_or_video', Attachment),
      def('face', Attachment),
      def('flags', Text),
    ]);
    expect(Object.fromEntries(picsi)).toEqual({ source: 'face', target: 'target_image_gif_or_video', options: 'flags' });
  });

  it('a role the index has no option for is left to its fallback name', () => {
    expect(optionNamesFor(COMMAND_SPECS.delid.options, []).size).toBe(0);
  });
});
