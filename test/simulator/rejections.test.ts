import type { APIMessage } from 'discord-api-types/v10';
import { describe, expect } from 'vitest';
import type { UploadSlotsBody } from '../../src/simulator/index.js';
import { UserRest, picsiBody } from '../helpers/picsi-client.js';
import type { PicsiInvokeBody } from '../helpers/picsi-client.js';
import { simTest } from '../helpers/sim-fixture.js';
import { finalReply, loginUser, sampleImages } from '../helpers/sim-session.js';

interface ErrorBody {
  message: string;
  code: number;
  errors?: Record<string, unknown>;
}

type Post = (payload: unknown, rest?: UserRest) => Promise<{ status: number; json: ErrorBody }>;

/** The fixture plus a valid /picsi body (uploads done) and a POST /interactions helper. */
const test = simTest.extend<{ body: PicsiInvokeBody; post: Post }>({
  body: async ({ user }, use) => {
    const images = await sampleImages();
    const command = await user.rest.picsiCommand(user.account.guildId);
    const attachments = await user.rest.upload(user.account.channelId, [images.source, images.target]);
    await use(picsiBody(user.account, user.sessionId, command, attachments));
  },
  post: async ({ user }, use) => {
    await use(async (payload, rest = user.rest) => {
      const res = await rest.request('POST', '/interactions', payload);
      return { status: res.status, json: res.status === 204 ? { message: '', code: -1 } : ((await res.json()) as ErrorBody) };
    });
  },
});

describe('requests are checked as Discord would', () => {
  test('rejects missing, unknown and wrongly prefixed tokens with 401 code 0', async ({ sim, user, body, post }) => {
    const path = `/guilds/${user.account.guildId}/application-command-index`;
    for (const token of [undefined, 'not-a-token', `Bot ${user.account.token}`, `Bearer ${user.account.token}`]) {
      const res = await new UserRest(sim, token).request('GET', path);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ message: '401: Unauthorized', code: 0 });
    }
    expect((await post(body, new UserRest(sim, 'nope'))).status).toBe(401);
  });

  test('a bot token cannot run slash commands, and /gateway/bot needs the bot', async ({ sim, user, body }) => {
    const asBot = await fetch(user.rest.url('/interactions'), {
      method: 'POST',
      headers: { authorization: `Bot ${sim.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(asBot.status).toBe(403);
    expect(((await asBot.json()) as ErrorBody).code).toBe(20001);
    expect((await user.rest.request('GET', '/gateway/bot')).status).toBe(401);
  });

  test('unknown channel / guild and foreign guilds', async ({ sim, user, body, post }) => {
    expect((await post({ ...body, channel_id: '123456789012345678' })).json.code).toBe(10003);
    expect((await post({ ...body, guild_id: '123456789012345678' })).json.code).toBe(10004);
    const other = sim.createAccount();
    const foreign = await post({ ...body, guild_id: other.guildId, channel_id: other.channelId });
    expect(foreign).toMatchObject({ status: 403, json: { code: 50001 } });
    const slots = await user.rest.request('POST', '/channels/999/attachments', { files: [{ id: '0', filename: 'a.png', file_size: 1 }] });
    expect(slots.status).toBe(404);
    expect(((await slots.json()) as ErrorBody).code).toBe(10003);
    expect((await post({ ...body, application_id: '1' })).json.code).toBe(10002);
  });

  test('session_id must be a live gateway session of this user', async ({ sim, user, body, post }) => {
    const random = await post({ ...body, session_id: 'f'.repeat(32) });
    expect(random.status).toBe(400);
    expect(random.json.code).toBe(50035);
    expect(random.json.errors).toHaveProperty('session_id');

    const other = await loginUser(sim);
    expect((await post({ ...body, session_id: other.sessionId })).status).toBe(400);

    await user.gateway.close(1000); // a clean close ends the session on Discord
    expect((await post(body)).status).toBe(400);
  });

  test('attachments must have been uploaded, by this user, for this channel', async ({ sim, user, body, post }) => {
    const slots = (await (
      await user.rest.request('POST', `/channels/${user.account.channelId}/attachments`, {
        files: [{ id: '0', filename: 'x.png', file_size: 10 }],
      })
    ).json()) as UploadSlotsBody;
    const neverPut = slots.attachments[0]?.upload_filename ?? '';
    const withMissing = structuredClone(body);
    const first = withMissing.data.attachments[0];
    if (first) first.uploaded_filename = neverPut;
    const missing = await post(withMissing);
    expect(missing.status).toBe(400);
    expect(missing.json.code).toBe(50035);
    expect(missing.json.errors).toMatchObject({
      data: { attachments: { '0': { uploaded_filename: { _errors: [{ code: 'ATTACHMENT_NOT_FOUND' }] } } } },
    });

    const other = await loginUser(
      sim,
      sim.addAccount({ token: 'other-token', guildId: user.account.guildId, channelId: '777777777777777777' }),
    );
    const foreignUpload = await post({ ...body, session_id: other.sessionId }, other.rest);
    expect(foreignUpload.status).toBe(400);
    expect(foreignUpload.json.errors).toMatchObject({ data: { attachments: { '0': { uploaded_filename: {} } } } });
  });

  test('uploads are single use: the same upload cannot start a second job', async ({ user, body, post }) => {
    expect((await post(body)).status).toBe(204);
    await finalReply(user, body.nonce);
    expect((await post({ ...body, nonce: '42' })).status).toBe(400);
  });

  test('the upload target checks size, upload id, and refuses an Authorization header', async ({ user }) => {
    const res = await user.rest.request('POST', `/channels/${user.account.channelId}/attachments`, {
      files: [{ id: '0', filename: 'y.png', file_size: 4 }],
    });
    const slot = ((await res.json()) as UploadSlotsBody).attachments[0];
    const url = slot?.upload_url ?? '';
    expect(slot?.id).toBe('0');
    expect((await fetch(url, { method: 'PUT', body: Buffer.from('12345') })).status).toBe(400);
    expect((await fetch(url, { method: 'PUT', body: Buffer.from('1234'), headers: { authorization: user.account.token } })).status).toBe(
      400,
    );
    expect((await fetch(url.replace(/upload_id=\w+/, 'upload_id=zzz'), { method: 'PUT', body: Buffer.from('1234') })).status).toBe(404);
    expect((await fetch(url, { method: 'PUT', body: Buffer.from('1234') })).status).toBe(200);
  });

  test('JSON shape: invalid JSON is 50109, missing or wrong fields are 50035 with per-field errors', async ({ user, body, post }) => {
    const broken = await user.rest.request('POST', '/interactions', '{not json');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as ErrorBody).code).toBe(50109);

    const { nonce: _nonce, ...withoutNonce } = body;
    const noNonce = await post(withoutNonce);
    expect(noNonce.json).toMatchObject({ code: 50035, errors: { nonce: { _errors: [{ code: 'BASE_TYPE_REQUIRED' }] } } });
    expect((await post({ ...body, type: 3 })).json.errors).toHaveProperty('type');
    const badOption = structuredClone(body);
    badOption.data.options = badOption.data.options.filter((o) => o.value !== 1);
    expect((await post(badOption)).json.errors).toHaveProperty('data');
  });

  test('rejected requests neither count as interactions nor consume the script', async ({ sim, user, body, post }) => {
    sim.script(user.account.channelId, { kind: 'botError', error: 'DAILY_LIMIT' });
    expect((await post({ ...body, session_id: 'nope' })).status).toBe(400);
    expect(sim.stats(user.account.channelId).interactions).toBe(0);
    expect((await post(body)).status).toBe(204);
    const reply = await finalReply(user, body.nonce);
    expect(reply.embeds[0]?.description).toMatch(/daily limit/);
  });

  test('accepts multipart with payload_json and inline files[n]', async ({ user, body }) => {
    const images = await sampleImages();
    const inline = structuredClone(body);
    inline.nonce = '9001';
    inline.data.attachments = [
      { id: '0', filename: images.source.filename },
      { id: '1', filename: images.target.filename },
    ] as PicsiInvokeBody['data']['attachments'];
    const form = new FormData();
    form.set('payload_json', JSON.stringify(inline));
    form.set('files[0]', new Blob([new Uint8Array(images.source.bytes)]), images.source.filename);
    form.set('files[1]', new Blob([new Uint8Array(images.target.bytes)]), images.target.filename);
    const res = await fetch(user.rest.url('/interactions'), { method: 'POST', headers: { authorization: user.account.token }, body: form });
    expect(res.status).toBe(204);
    expect((await finalReply(user, '9001')).attachments[0]).toMatchObject({ width: 120, height: 90 });
  });

  test('GET messages validates limit; unknown API versions are 404', async ({ sim, user }) => {
    expect((await user.rest.request('GET', `/channels/${user.account.channelId}/messages?limit=500`)).status).toBe(400);
    const ok = await user.rest.request('GET', `/channels/${user.account.channelId}/messages?limit=100`);
    expect((await ok.json()) as APIMessage[]).toEqual([]);
    expect((await fetch(`${sim.apiUrl}/v8/gateway`)).status).toBe(404);
    expect((await fetch(`${sim.apiUrl}/v10/gateway`)).status).toBe(200);
  });
});
