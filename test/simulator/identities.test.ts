import { ApplicationCommandOptionType, MessageFlags } from 'discord-api-types/v10';
import type { APIMessage } from 'discord-api-types/v10';
import sharp from 'sharp';
import { describe, expect } from 'vitest';
import {
  BOT_APPLICATION_ID,
  ERROR_COLOUR,
  IDENTITY_COMMAND_NAMES,
  IDENTITY_CREDIT_COST,
  IDENTITY_ERRORS,
  IDENTITY_TEXTS,
  MAX_SAVED_IDS,
  MAX_SWAPID_NAMES,
} from '../../src/simulator/index.js';
import type { CommandIndexBody } from '../../src/simulator/index.js';
import { makeImage } from '../helpers/images.js';
import type { FileToSend } from '../helpers/picsi-client.js';
import { answerTo, download, runCommand, startCommand } from '../helpers/sim-commands.js';
import { simTest } from '../helpers/sim-fixture.js';
import { loginUser } from '../helpers/sim-session.js';
import type { UserSession } from '../helpers/sim-session.js';

const face = async (colour: string): Promise<FileToSend> => ({ filename: 'face.png', bytes: await makeImage(64, 64, 'png', colour) });
const scene = async (): Promise<FileToSend> => ({ filename: 'scene.jpg', bytes: await makeImage(120, 90, 'jpeg') });
const saveid = async (user: UserSession, idname: string, colour = '#aa5533'): Promise<APIMessage> =>
  runCommand(user, 'saveid', { strings: { idname }, files: { image: await face(colour) } });
const swapid = async (user: UserSession, idname: string): Promise<APIMessage> =>
  runCommand(user, 'swapid', { strings: { idname }, files: { image: await scene() } });
const listid = (user: UserSession): Promise<APIMessage> => runCommand(user, 'listid');

/** The error embed the simulated bot answers with for this description. */
const refusal = (description: string) => ({ embeds: [{ title: 'Error', description, color: ERROR_COLOUR }], attachments: [] });

describe('identity commands in the command index', () => {
  simTest('all six are declared by InsightFaceSwap with their options', async ({ user }) => {
    const index = await user.rest.json<CommandIndexBody>('GET', `/guilds/${user.account.guildId}/application-command-index`);
    const own = index.application_commands.filter((c) => c.application_id === BOT_APPLICATION_ID);
    expect(own.map((c) => c.name)).toEqual(['picsi', ...IDENTITY_COMMAND_NAMES]);
    const options = Object.fromEntries(own.map((c) => [c.name, (c.options ?? []).map((o) => [o.name, o.type, o.required ?? false])]));
    const { String: STRING, Attachment: ATTACHMENT } = ApplicationCommandOptionType;
    expect(options).toMatchObject({
      saveid: [
        ['idname', STRING, true],
        ['image', ATTACHMENT, true],
      ],
      swapid: [
        ['idname', STRING, true],
        ['image', ATTACHMENT, true],
      ],
      setid: [['idname', STRING, true]],
      listid: [],
      delid: [['idname', STRING, true]],
      delall: [],
    });
  });

  simTest('a required option left out is refused by REST before the bot runs', async ({ sim, user, channel }) => {
    const { response } = await startCommand(user, 'saveid', { strings: { idname: 'alice' } });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('BASE_TYPE_REQUIRED');
    expect(sim.stats(channel).interactions).toBe(0);
  });
});

describe('saving and swapping identities', () => {
  simTest('/saveid defers, then edits the placeholder into the saved face; it costs nothing', async ({ sim, user, channel }) => {
    const { nonce } = await startCommand(user, 'saveid', { strings: { idname: 'alice' }, files: { image: await face('#aa5533') } });
    const { message, event } = await answerTo(user, nonce);
    const placeholder = user.gateway.dispatches('MESSAGE_CREATE')[0]?.d as APIMessage;
    expect(placeholder.flags).toBe(MessageFlags.Loading);
    expect(event).toBe('MESSAGE_UPDATE');
    expect(message.id).toBe(placeholder.id);
    expect(message.content).toBe(IDENTITY_TEXTS.saved(user.account.userId ?? '', 'alice'));
    expect(message.attachments).toEqual([
      expect.objectContaining({ filename: 'alice.png', content_type: 'image/png', width: 128, height: 128 }),
    ]);
    expect(message.interaction?.name).toBe('saveid');
    expect(sim.identities(channel)).toEqual({ names: ['alice'], defaultId: 'alice' });
    expect(sim.credits(channel).used).toBe(IDENTITY_CREDIT_COST.saveid);
  });

  simTest(
    '/swapid puts the saved face onto the target: a PNG the size of the target, charged per the table',
    async ({ sim, user, channel }) => {
      await saveid(user, 'alice', '#aa5533');
      await saveid(user, 'bob', '#2288ee');
      const withAlice = await swapid(user, 'alice');
      expect(withAlice.content).toBe(IDENTITY_TEXTS.swapped(user.account.userId ?? '', ['alice']));
      expect(withAlice.attachments).toEqual([
        expect.objectContaining({ filename: 'scene_swapped.png', content_type: 'image/png', width: 120, height: 90 }),
      ]);
      const aliceBytes = await download(withAlice.attachments[0]?.url ?? '');
      expect(await sharp(aliceBytes).metadata()).toMatchObject({ format: 'png', width: 120, height: 90 });

      const bobBytes = await download((await swapid(user, 'bob')).attachments[0]?.url ?? '');
      const bothBytes = await download((await swapid(user, 'alice,bob')).attachments[0]?.url ?? '');
      expect(bobBytes.equals(aliceBytes)).toBe(false);
      expect(bothBytes.equals(aliceBytes)).toBe(false);
      expect(sim.credits(channel).used).toBe(3 * IDENTITY_CREDIT_COST.swapid);
    },
  );

  simTest('/listid answers with a new message (no placeholder) naming the ids and the default', async ({ user }) => {
    await saveid(user, 'alice');
    await saveid(user, 'Bob7');
    const before = user.gateway.dispatches('MESSAGE_CREATE').length;
    const { nonce } = await startCommand(user, 'listid');
    const { message, event } = await answerTo(user, nonce);
    expect(event).toBe('MESSAGE_CREATE');
    expect(user.gateway.dispatches('MESSAGE_CREATE')).toHaveLength(before + 1);
    expect(message.content).toBe(IDENTITY_TEXTS.listid(['alice', 'Bob7'], 'Bob7'));
    expect(message.content).toContain('alice, Bob7');
  });

  simTest('re-saving a name replaces it and makes it the default; /setid sets the default selection', async ({ sim, user, channel }) => {
    await saveid(user, 'alice');
    await saveid(user, 'bob');
    await saveid(user, 'ALICE', '#00ff00');
    expect(sim.identities(channel)).toEqual({ names: ['bob', 'ALICE'], defaultId: 'ALICE' });

    const set = await runCommand(user, 'setid', { strings: { idname: 'bob,_,alice+bob --greedy' } });
    expect(set.content).toBe(IDENTITY_TEXTS.setid([{ names: ['bob'] }, { names: [] }, { names: ['ALICE', 'bob'] }], true));
    expect(sim.identities(channel).defaultId).toBe('bob,_,ALICE+bob');
    expect((await listid(user)).content).toContain('bob,_,ALICE+bob');
  });

  simTest('/delid removes one id, /delall empties the list', async ({ sim, user, channel }) => {
    await saveid(user, 'alice');
    await saveid(user, 'bob');
    await saveid(user, 'carol');
    expect((await runCommand(user, 'delid', { strings: { idname: 'bob' } })).content).toBe(IDENTITY_TEXTS.deleted('bob'));
    expect((await listid(user)).content).toBe(IDENTITY_TEXTS.listid(['alice', 'carol'], 'carol'));
    expect(await swapid(user, 'bob')).toMatchObject(refusal(IDENTITY_ERRORS.UNKNOWN_ID('bob')));

    expect((await runCommand(user, 'delall')).content).toBe(IDENTITY_TEXTS.deletedAll(2));
    expect(sim.identities(channel)).toEqual({ names: [], defaultId: undefined });
    expect((await listid(user)).content).toBe(IDENTITY_TEXTS.listid([], undefined));
  });

  simTest('identities belong to the account: shared by its channels, invisible to another user', async ({ sim, user }) => {
    await saveid(user, 'alice');
    const sameUserElsewhere = sim.createAccount({ token: user.account.token, userId: user.account.userId ?? '' });
    expect(sim.identities(sameUserElsewhere.channelId).names).toEqual(['alice']);
    const other = await loginUser(sim);
    expect((await listid(other)).content).toBe(IDENTITY_TEXTS.listid([], undefined));
    expect(await swapid(other, 'alice')).toMatchObject(refusal(IDENTITY_ERRORS.UNKNOWN_ID('alice')));
    await other.gateway.close();
  });
});

describe('identity errors (red embeds, nothing saved or charged)', () => {
  simTest.for(['toolongname1', 'al ice', 'bob!', 'é'])('/saveid refuses the name %j', async (name, { sim, user, channel }) => {
    expect(await saveid(user, name)).toMatchObject(refusal(IDENTITY_ERRORS.INVALID_ID_NAME(name.trim())));
    expect(sim.identities(channel).names).toEqual([]);
  });

  simTest('/saveid of bytes that are not an image: no face', async ({ sim, user, channel }) => {
    const garbage = { filename: 'face.png', bytes: Buffer.from('not an image at all') };
    expect(await runCommand(user, 'saveid', { strings: { idname: 'alice' }, files: { image: garbage } })).toMatchObject(
      refusal(IDENTITY_ERRORS.ID_NO_FACE()),
    );
    expect(sim.identities(channel).names).toEqual([]);
  });

  simTest(`/saveid refuses a new name past ${MAX_SAVED_IDS}, still replaces an existing one`, async ({ sim, user, channel }) => {
    for (let i = 1; i <= MAX_SAVED_IDS; i += 1) await saveid(user, `id${i}`);
    expect(await saveid(user, 'oneTooMany')).toMatchObject(refusal(IDENTITY_ERRORS.TOO_MANY_IDS()));
    expect((await saveid(user, 'id1')).attachments).toHaveLength(1);
    expect(sim.identities(channel).names).toHaveLength(MAX_SAVED_IDS);
  });

  simTest('/swapid: unknown name, invalid name, empty entry, too many names, out of credits', async ({ sim, user, channel }) => {
    await saveid(user, 'alice');
    expect(await swapid(user, 'alice,nobody')).toMatchObject(refusal(IDENTITY_ERRORS.UNKNOWN_ID('nobody')));
    expect(await swapid(user, 'alice,no-way')).toMatchObject(refusal(IDENTITY_ERRORS.INVALID_ID_NAME('no-way')));
    expect(await swapid(user, 'alice,,alice')).toMatchObject(refusal(IDENTITY_ERRORS.INVALID_ID_NAME('')));
    const many = Array.from({ length: MAX_SWAPID_NAMES + 1 }, () => 'alice').join(',');
    expect(await swapid(user, many)).toMatchObject(refusal(IDENTITY_ERRORS.TOO_MANY_NAMES(MAX_SWAPID_NAMES + 1)));
    expect(sim.credits(channel).used).toBe(0);

    const poor = await loginUser(sim, sim.createAccount({ credits: IDENTITY_CREDIT_COST.swapid - 1 }));
    await saveid(poor, 'alice');
    expect((await swapid(poor, 'alice')).embeds[0]?.description).toMatch(/credits/);
    await poor.gateway.close();
  });

  simTest.for([
    ['', 'empty'],
    ['_', 'only skips'],
    ['alice --fast', 'an unknown flag'],
    ['alice --greedy --nogreedy', 'two flags'],
    ['alice+', 'an empty mix'],
    ['al-ice', 'a bad name'],
  ])('/setid refuses %j (%s)', async ([text], { user }) => {
    await saveid(user, 'alice');
    expect(await runCommand(user, 'setid', { strings: { idname: text ?? '' } })).toMatchObject(
      refusal(IDENTITY_ERRORS.INVALID_SETID(text ?? '')),
    );
  });

  simTest('/setid and /delid refuse unknown names', async ({ user }) => {
    await saveid(user, 'alice');
    expect(await runCommand(user, 'setid', { strings: { idname: 'alice+ghost' } })).toMatchObject(
      refusal(IDENTITY_ERRORS.UNKNOWN_ID('ghost')),
    );
    expect(await runCommand(user, 'delid', { strings: { idname: 'ghost' } })).toMatchObject(refusal(IDENTITY_ERRORS.UNKNOWN_ID('ghost')));
  });
});

describe('per-test behaviours apply to identity commands too', () => {
  simTest('botError on /saveid: the scripted embed, nothing saved', async ({ sim, user, channel }) => {
    sim.script(channel, { kind: 'botError', error: 'NO_FACE' });
    expect((await saveid(user, 'alice')).embeds[0]?.color).toBe(ERROR_COLOUR);
    expect(sim.identities(channel).names).toEqual([]);
  });

  simTest('rateLimit on /swapid: 429, nothing run or charged', async ({ sim, user, channel }) => {
    await saveid(user, 'alice');
    sim.script(channel, { kind: 'rateLimit', retryAfterSeconds: 1 });
    const { response } = await startCommand(user, 'swapid', { strings: { idname: 'alice' }, files: { image: await scene() } });
    expect(response.status).toBe(429);
    expect(sim.credits(channel).used).toBe(0);
  });

  simTest('interactionFailure on /listid: INTERACTION_FAILURE, no message', async ({ sim, user, channel }) => {
    sim.script(channel, { kind: 'interactionFailure' });
    const { nonce } = await startCommand(user, 'listid');
    await user.gateway.waitForDispatch('INTERACTION_FAILURE', (d) => d.nonce === nonce);
    expect(await sim.interactionEnded(nonce)).toMatchObject({ outcome: 'interactionFailure' });
    expect(user.gateway.dispatches('MESSAGE_CREATE')).toHaveLength(0);
  });

  simTest('silence on /delall: acknowledged, no message, nothing deleted', async ({ sim, user, channel }) => {
    await saveid(user, 'alice');
    sim.script(channel, { kind: 'silence' });
    const messagesBefore = user.gateway.dispatches('MESSAGE_CREATE').length;
    const { nonce } = await startCommand(user, 'delall');
    await user.gateway.waitForDispatch('INTERACTION_SUCCESS', (d) => d.nonce === nonce);
    expect(await sim.interactionEnded(nonce)).toMatchObject({ outcome: 'silence' });
    expect(user.gateway.dispatches('MESSAGE_CREATE')).toHaveLength(messagesBefore);
    expect(sim.identities(channel).names).toEqual(['alice']);
  });

  simTest('text answers are logged with outcome text', async ({ sim, user }) => {
    const { nonce } = await startCommand(user, 'listid');
    await answerTo(user, nonce);
    expect(await sim.interactionEnded(nonce)).toMatchObject({ outcome: 'text' });
  });
});
