import { describe, expect, it } from 'vitest';
import { parseListIdReply } from '../../src/discord/listid-parser.js';
import { makeImage } from '../helpers/images.js';
import { runCommand } from '../helpers/sim-commands.js';
import { simTest } from '../helpers/sim-fixture.js';
import { LISTID_REPLIES } from './fixtures/listid-replies.js';

describe('parseListIdReply: the fixture corpus', () => {
  it('has at least 8 variants, empty lists among them', () => {
    expect(LISTID_REPLIES.length).toBeGreaterThanOrEqual(8);
    expect(LISTID_REPLIES.filter((f) => f.expected !== 'unrecognized' && f.expected.names.length === 0).length).toBeGreaterThanOrEqual(2);
  });

  it.each(LISTID_REPLIES.map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    const parsed = parseListIdReply(fixture.message);
    if (fixture.expected === 'unrecognized') expect(parsed).toEqual({ ok: false });
    else expect(parsed).toEqual({ ok: true, ...fixture.expected });
  });
});

describe('parseListIdReply: details', () => {
  it('keeps the order shown and drops repeats (names compare case-insensitively)', () => {
    expect(parseListIdReply({ content: 'Your ids: b, a, B' })).toEqual({ ok: true, names: ['b', 'a'], defaultId: undefined });
  });

  it('reads content and embeds together', () => {
    const parsed = parseListIdReply({
      content: '<@1> here you go',
      embeds: [{ description: 'Saved ids: one, two', footer: { text: 'Default: two' } }],
    });
    expect(parsed).toEqual({ ok: true, names: ['one', 'two'], defaultId: 'two' });
  });

  it('an empty message is unrecognized', () => {
    expect(parseListIdReply({})).toEqual({ ok: false });
  });
});

describe('parseListIdReply against the simulated bot (where the two sides meet)', () => {
  simTest('reads the names and the default the simulator lists, and its empty list', async ({ user }) => {
    const empty = await runCommand(user, 'listid');
    expect(parseListIdReply(empty)).toEqual({ ok: true, names: [], defaultId: undefined });
    for (const idname of ['alice', 'Bob7']) {
      await runCommand(user, 'saveid', { strings: { idname }, files: { image: { filename: 'f.png', bytes: await makeImage(64, 64) } } });
    }
    expect(parseListIdReply(await runCommand(user, 'listid'))).toEqual({ ok: true, names: ['alice', 'Bob7'], defaultId: 'Bob7' });
    await runCommand(user, 'setid', { strings: { idname: 'Bob7,_,alice+Bob7' } });
    expect(parseListIdReply(await runCommand(user, 'listid'))).toEqual({
      ok: true,
      names: ['alice', 'Bob7'],
      defaultId: 'Bob7,_,alice+Bob7',
    });
  });
});
