import { GatewayOpcodes, MessageFlags } from 'discord-api-types/v10';
import type { APIMessage, RESTError } from 'discord-api-types/v10';
import { describe, expect, vi } from 'vitest';
import { BOT_ERROR_KINDS, BOT_ERRORS, ERROR_COLOUR, PICSI_CREDIT_COST } from '../../src/simulator/index.js';
import type { BotErrorKind } from '../../src/simulator/index.js';
import { makeImage } from '../helpers/images.js';
import { freshNonce, picsiBody } from '../helpers/picsi-client.js';
import { RawGateway } from '../helpers/raw-gateway.js';
import { simTest } from '../helpers/sim-fixture.js';
import { finalReply, loginUser, sampleImages, startPicsi } from '../helpers/sim-session.js';

/** Which of the simulated bot's own errors a reply is (its embed is the table row verbatim). */
const errorKind = (m: APIMessage): BotErrorKind | 'none' =>
  BOT_ERROR_KINDS.find((k) => m.embeds.some((e) => e.description === BOT_ERRORS[k].description && e.title === BOT_ERRORS[k].title)) ??
  'none';

describe('scripted bot behaviours', () => {
  simTest.for(BOT_ERROR_KINDS)(
    'botError %s edits the placeholder into a red embed with the table text',
    async (kind, { sim, user, channel }) => {
      sim.script(channel, { kind: 'botError', error: kind });
      const { response, nonce } = await startPicsi(user);
      expect(response.status).toBe(204);
      const reply = await finalReply(user, nonce);
      expect(reply.flags).toBe(0);
      expect(reply.attachments).toEqual([]);
      expect(reply.embeds).toEqual([{ ...BOT_ERRORS[kind], color: ERROR_COLOUR }]);
      expect(errorKind(reply)).toBe(kind);
      expect(sim.credits(channel).used).toBe(0);
      expect(sim.stats(channel)).toMatchObject({ inFlight: 0, interactions: 1, completed: 1 });
    },
  );

  simTest('a script is consumed in order, then the default applies', async ({ sim, user, channel }) => {
    sim.script(channel, { kind: 'botError', error: 'NO_FACE' }, { kind: 'botError', error: 'DAILY_LIMIT' });
    sim.setDefaultBehaviour(channel, { kind: 'botError', error: 'INVALID_OPTION' });
    const kinds: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { nonce } = await startPicsi(user);
      kinds.push(errorKind(await finalReply(user, nonce)));
    }
    expect(kinds).toEqual(['NO_FACE', 'DAILY_LIMIT', 'INVALID_OPTION']);
  });

  simTest(
    'the real bot answers INVALID_OPTION to unknown flags and NO_FACE to bytes that are not an image',
    async ({ sim, user, channel }) => {
      const bad = await startPicsi(user, { options: '-m --bogus' });
      expect(errorKind(await finalReply(user, bad.nonce))).toBe('INVALID_OPTION');
      const outOfRange = await startPicsi(user, { options: '-o 5000' });
      expect(errorKind(await finalReply(user, outOfRange.nonce))).toBe('INVALID_OPTION');

      const { source } = await sampleImages();
      const garbage = { filename: 'target.png', bytes: Buffer.from('definitely not a png') };
      const noFace = await startPicsi(user, { files: { source, target: garbage } });
      expect(errorKind(await finalReply(user, noFace.nonce))).toBe('NO_FACE');
      expect(sim.credits(channel).used).toBe(0);
    },
  );

  simTest('accepts png, jpeg, webp and gif inputs', async ({ user }) => {
    for (const format of ['png', 'jpeg', 'webp', 'gif'] as const) {
      const files = {
        source: { filename: `s.${format}`, bytes: await makeImage(40, 50, format) },
        target: { filename: `t.${format}`, bytes: await makeImage(70, 30, format) },
      };
      const { nonce } = await startPicsi(user, { files });
      const reply = await finalReply(user, nonce);
      expect(reply.attachments[0]).toMatchObject({ width: 70, height: 30, content_type: 'image/png' });
    }
  });

  simTest('rateLimit answers 429 like Discord, runs nothing, and keeps the uploads usable', async ({ sim, user, channel }) => {
    sim.script(channel, { kind: 'rateLimit', retryAfterSeconds: 2.5 });
    const images = await sampleImages();
    const command = await user.rest.picsiCommand(user.account.guildId);
    const attachments = await user.rest.upload(channel, [images.source, images.target]);
    const body = picsiBody(user.account, user.sessionId, command, attachments);

    const limited = await user.rest.request('POST', '/interactions', body);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await limited.json()).toEqual({ message: 'The resource is being rate limited.', retry_after: 2.5, global: false });
    expect(sim.stats(channel)).toMatchObject({ interactions: 0, inFlight: 0 });

    const retried = await user.rest.request('POST', '/interactions', body);
    expect(retried.status).toBe(204);
    await finalReply(user, body.nonce);
    expect(user.gateway.dispatches('INTERACTION_CREATE')).toHaveLength(1);
    expect(sim.stats(channel)).toMatchObject({ interactions: 1, completed: 1 });
  });

  simTest(
    'interactionFailure: 204, INTERACTION_CREATE, then INTERACTION_FAILURE reason 2 and no message',
    async ({ sim, user, channel }) => {
      sim.script(channel, { kind: 'interactionFailure' });
      const { response, nonce } = await startPicsi(user);
      expect(response.status).toBe(204);
      const created = await user.gateway.waitForDispatch('INTERACTION_CREATE', (d) => d.nonce === nonce);
      const failure = await user.gateway.waitForDispatch('INTERACTION_FAILURE', (d) => d.nonce === nonce);
      expect(failure.d).toEqual({ id: (created.d as { id: string }).id, nonce, reason_code: 2 });
      expect(user.gateway.dispatches('INTERACTION_SUCCESS')).toHaveLength(0);
      expect(user.gateway.dispatches('MESSAGE_CREATE')).toHaveLength(0);
      expect(sim.stats(channel)).toMatchObject({ inFlight: 0, completed: 1 });
    },
  );

  simTest('silence: acknowledged with a placeholder that never changes; in flight for exactly holdMs', async ({ sim, user, channel }) => {
    sim.script(channel, { kind: 'silence', holdMs: 60_000 });
    // Timers only: sockets stay real, the bot's hold is advanced by hand.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { response, nonce } = await startPicsi(user);
      expect(response.status).toBe(204);
      await user.gateway.waitForDispatch('INTERACTION_SUCCESS', (d) => d.nonce === nonce);
      const placeholder = await user.gateway.waitForDispatch('MESSAGE_CREATE');
      expect((placeholder.d as APIMessage).flags).toBe(MessageFlags.Loading);
      await vi.advanceTimersByTimeAsync(59_999);
      expect(sim.stats(channel).inFlight).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      await sim.interactionEnded(nonce);
    } finally {
      vi.useRealTimers();
    }
    expect(sim.stats(channel)).toMatchObject({ inFlight: 0, interactions: 1, completed: 0 });
    expect(user.gateway.dispatches('MESSAGE_UPDATE')).toHaveLength(0);
    expect(sim.interactionsLog(channel)[0]?.outcome).toBe('silence');
  });

  simTest('silence without placeholder sends nothing after INTERACTION_SUCCESS', async ({ sim, user, channel }) => {
    sim.script(channel, { kind: 'silence', placeholder: false });
    const { nonce } = await startPicsi(user);
    await user.gateway.waitForDispatch('INTERACTION_SUCCESS', (d) => d.nonce === nonce);
    await sim.interactionEnded(nonce);
    const next = await startPicsi(user);
    await finalReply(user, next.nonce);
    expect(user.gateway.dispatches('MESSAGE_CREATE')).toHaveLength(1);
  });

  simTest(
    'dropGatewayMidJob (resumable): closes with 4000 after the placeholder; RESUME replays the final update',
    async ({ sim, user, channel }) => {
      sim.script(channel, { kind: 'dropGatewayMidJob' });
      const { nonce } = await startPicsi(user);
      const closed = await user.gateway.closed;
      expect(closed.code).toBe(4000);
      expect(user.gateway.dispatches('MESSAGE_CREATE')).toHaveLength(1);
      expect(user.gateway.dispatches('MESSAGE_UPDATE')).toHaveLength(0);
      expect(await sim.interactionEnded(nonce)).toMatchObject({ outcome: 'result' });

      const resumed = await RawGateway.connect(user.resumeUrl);
      const seq = user.gateway.lastSeq ?? 0;
      resumed.send({ op: GatewayOpcodes.Resume, d: { token: user.account.token, session_id: user.sessionId, seq } });
      const done = await resumed.waitForDispatch('RESUMED');
      const update = resumed.dispatches('MESSAGE_UPDATE')[0];
      expect(update?.s).toBe(seq + 1);
      expect(done.s).toBe(seq + 2);
      expect((update?.d as APIMessage).attachments).toHaveLength(1);
      const created = user.gateway.dispatches('INTERACTION_CREATE').find((f) => (f.d as { nonce: string }).nonce === nonce);
      expect((update?.d as APIMessage).interaction_metadata?.id).toBe((created?.d as { id: string }).id);
      expect(sim.requests.some((r) => r.path === '/gateway-resume' && r.status === 101)).toBe(true);
      await resumed.close();
    },
  );

  simTest(
    'dropGatewayMidJob (not resumable): 4009, RESUME is refused, the result is still in GET messages',
    async ({ sim, user, channel }) => {
      sim.script(channel, { kind: 'dropGatewayMidJob', resumable: false });
      const { nonce } = await startPicsi(user);
      expect((await user.gateway.closed).code).toBe(4009);
      expect(await sim.interactionEnded(nonce)).toMatchObject({ outcome: 'result' });

      const again = await RawGateway.connect(user.resumeUrl);
      again.send({ op: GatewayOpcodes.Resume, d: { token: user.account.token, session_id: user.sessionId, seq: user.gateway.lastSeq } });
      const invalid = await again.waitFor((f) => f.op === GatewayOpcodes.InvalidSession);
      expect(invalid.d).toBe(false);
      const messages = (await (await user.rest.request('GET', `/channels/${channel}/messages`)).json()) as APIMessage[];
      expect(messages[0]?.attachments).toHaveLength(1);
      await again.close();
    },
  );

  simTest('staleCommandVersion: 50035 INVALID_VERSION; a fresh index gives a version that works', async ({ sim, user, channel }) => {
    sim.script(channel, { kind: 'staleCommandVersion' });
    const images = await sampleImages();
    const before = await user.rest.picsiCommand(user.account.guildId);
    const attachments = await user.rest.upload(channel, [images.source, images.target]);
    const stale = await user.rest.request('POST', '/interactions', picsiBody(user.account, user.sessionId, before, attachments));
    expect(stale.status).toBe(400);
    expect(await stale.json()).toEqual({
      message: 'Invalid Form Body',
      code: 50035,
      errors: {
        data: {
          _errors: [
            {
              code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION',
              message: 'This command is outdated, please try again in a few minutes',
            },
          ],
        },
      },
    } satisfies RESTError & { errors: unknown });

    const after = await user.rest.picsiCommand(user.account.guildId);
    expect(after.id).toBe(before.id);
    expect(after.version).not.toBe(before.version);
    const body = picsiBody(user.account, user.sessionId, after, attachments);
    expect((await user.rest.request('POST', '/interactions', body)).status).toBe(204);
    await finalReply(user, body.nonce);
  });

  simTest('bumpCommandVersion() makes the cached version fail until re-indexed', async ({ sim, user, channel }) => {
    const images = await sampleImages();
    const cached = await user.rest.picsiCommand(user.account.guildId);
    sim.bumpCommandVersion();
    const attachments = await user.rest.upload(channel, [images.source, images.target]);
    const res = await user.rest.request(
      'POST',
      '/interactions',
      picsiBody(user.account, user.sessionId, cached, attachments, undefined, freshNonce()),
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('INTERACTION_APPLICATION_COMMAND_INVALID_VERSION');
  });
});

describe('credits', () => {
  let now = Date.UTC(2025, 5, 1, 23, 0);
  simTest.override({ simOptions: { now: () => now } });

  simTest('run out after the allowance; each /picsi costs 3; renewed on the next UTC day', async ({ sim }) => {
    const user = await loginUser(sim, sim.createAccount({ credits: 7 }));
    const channel = user.account.channelId;
    for (let i = 0; i < 2; i += 1) {
      const { nonce } = await startPicsi(user);
      expect((await finalReply(user, nonce)).attachments).toHaveLength(1);
    }
    expect(sim.credits(user.account.token)).toEqual({ total: 7, used: 2 * PICSI_CREDIT_COST });
    const broke = await startPicsi(user);
    expect(errorKind(await finalReply(user, broke.nonce))).toBe('CREDITS_EXHAUSTED');
    expect(sim.credits(channel)).toEqual({ total: 7, used: 6 });

    now = Date.UTC(2025, 5, 2, 0, 1);
    expect(sim.credits(channel)).toEqual({ total: 7, used: 0 });
    const renewed = await startPicsi(user);
    expect((await finalReply(user, renewed.nonce)).attachments).toHaveLength(1);
  });
});
