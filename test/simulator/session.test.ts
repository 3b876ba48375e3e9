import { ApplicationCommandOptionType, GatewayOpcodes, MessageFlags } from 'discord-api-types/v10';
import type { APIMessage } from 'discord-api-types/v10';
import sharp from 'sharp';
import { describe, expect } from 'vitest';
import { BOT_APPLICATION_ID, DAILY_FREE_CREDITS, DECOY_APPLICATION_ID, PICSI, PICSI_CREDIT_COST } from '../../src/simulator/index.js';
import type { CommandIndexBody, RefreshedUrlsBody } from '../../src/simulator/index.js';
import { simTest } from '../helpers/sim-fixture.js';
import { startPicsi } from '../helpers/sim-session.js';

type Dispatched = Record<string, unknown>;

describe('a hand-driven /picsi session (raw ws + fetch)', () => {
  simTest('READY carries the session, a distinct resume URL and the user', async ({ user }) => {
    const ready = user.gateway.dispatches('READY')[0];
    const d = ready?.d as Dispatched;
    expect(ready?.s).toBe(1);
    expect(d.session_id).toBe(user.sessionId);
    expect(user.resumeUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/gateway-resume$/);
    expect((d.user as Dispatched).id).toBe(user.account.userId);
    const hello = user.gateway.frames[0];
    expect(hello?.op).toBe(GatewayOpcodes.Hello);
    expect((hello?.d as Dispatched).heartbeat_interval).toBe(41_250);
  });

  simTest('the command index lists a decoy /picsi before the real one, with the option names', async ({ user }) => {
    const index = (await (
      await user.rest.request('GET', `/guilds/${user.account.guildId}/application-command-index`)
    ).json()) as CommandIndexBody;
    const picsis = index.application_commands.filter((c) => c.name === 'picsi');
    expect(picsis.map((c) => c.application_id)).toEqual([DECOY_APPLICATION_ID, BOT_APPLICATION_ID]);
    expect(index.application_commands.some((c) => c.application_id === BOT_APPLICATION_ID && c.name !== 'picsi')).toBe(true);
    const real = picsis[1];
    expect(real?.options?.map((o) => [o.name, o.type])).toEqual([
      [PICSI.optionNames.source, ApplicationCommandOptionType.Attachment],
      [PICSI.optionNames.target, ApplicationCommandOptionType.Attachment],
      [PICSI.optionNames.options, ApplicationCommandOptionType.String],
    ]);
  });

  simTest('runs identify → upload → interaction → LOADING placeholder → final update with a real PNG', async ({ sim, user }) => {
    const { response, nonce } = await startPicsi(user, { options: '-m' });
    expect(response.status).toBe(204);

    const created = await user.gateway.waitForDispatch('INTERACTION_CREATE', (d) => d.nonce === nonce);
    const interactionId = (created.d as Dispatched).id as string;
    const success = await user.gateway.waitForDispatch('INTERACTION_SUCCESS', (d) => d.nonce === nonce);
    expect((success.d as Dispatched).id).toBe(interactionId);

    const isOurs = (d: Dispatched): boolean => (d.interaction_metadata as Dispatched | undefined)?.id === interactionId;
    const placeholder = (await user.gateway.waitForDispatch('MESSAGE_CREATE', isOurs)).d as APIMessage & { guild_id: string };
    expect(placeholder.flags).toBe(MessageFlags.Loading);
    expect(placeholder.author.id).toBe(BOT_APPLICATION_ID);
    expect(placeholder.author.bot).toBe(true);
    expect(placeholder.nonce).toBeUndefined();
    expect(placeholder.guild_id).toBe(user.account.guildId);
    expect(placeholder.interaction_metadata?.user.id).toBe(user.account.userId);

    const updated = (await user.gateway.waitForDispatch('MESSAGE_UPDATE', isOurs)).d as APIMessage;
    expect(updated.id).toBe(placeholder.id);
    expect(updated.flags).toBe(0);
    expect(updated.attachments).toHaveLength(1);
    const [attachment] = updated.attachments;
    expect(attachment?.content_type).toBe('image/png');
    expect(attachment?.url).toMatch(/\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]{64}&$/);

    const bytes = Buffer.from(await (await fetch(attachment?.url ?? '')).arrayBuffer());
    expect(bytes.length).toBe(attachment?.size);
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([attachment?.width, attachment?.height]);
    expect([meta.width, meta.height]).toEqual([120, 90]); // the target's size
    const viaProxy = await fetch(attachment?.proxy_url ?? '');
    expect(Buffer.from(await viaProxy.arrayBuffer()).equals(bytes)).toBe(true);

    // Sequence numbers are consecutive per session.
    const seqs = user.gateway.frames.filter((f) => f.op === GatewayOpcodes.Dispatch).map((f) => f.s);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(sim.credits(user.account.channelId)).toEqual({ total: DAILY_FREE_CREDITS, used: PICSI_CREDIT_COST });
  });

  simTest('GET messages returns the edited reply, newest first', async ({ user }) => {
    await startPicsi(user);
    await startPicsi(user);
    await user.gateway.waitFor(() => user.gateway.dispatches('MESSAGE_UPDATE').length === 2);
    // The two replies may be edited in either order; "newest" is by message id (creation order).
    const edited = user.gateway
      .dispatches('MESSAGE_UPDATE')
      .map((f) => f.d as APIMessage)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    const [newest, older] = edited;
    const list = (await (await user.rest.request('GET', `/channels/${user.account.channelId}/messages?limit=1`)).json()) as APIMessage[];
    expect(list).toHaveLength(1);
    expect(list[0]?.id).toBe(newest?.id);
    expect(list[0]?.attachments[0]?.url).toBe(newest?.attachments[0]?.url);
    const all = (await (await user.rest.request('GET', `/channels/${user.account.channelId}/messages`)).json()) as APIMessage[];
    expect(all.map((m) => m.id)).toEqual([newest?.id, older?.id]);
  });

  simTest('CDN URLs reject forged signatures and can be refreshed', async ({ user }) => {
    await startPicsi(user);
    const update = await user.gateway.waitForDispatch('MESSAGE_UPDATE');
    const url = (update.d as APIMessage).attachments[0]?.url ?? '';
    const forged = url.replace(/hm=([0-9a-f])/, (_, c: string) => `hm=${c === '0' ? '1' : '0'}`);
    expect((await fetch(forged)).status).toBe(403);
    expect((await fetch(url.split('?')[0] ?? '')).status).toBe(403);

    const refreshed = (await (
      await user.rest.request('POST', '/attachments/refresh-urls', { attachment_urls: [url, 'https://example.com/x.png'] })
    ).json()) as RefreshedUrlsBody;
    expect(refreshed.refreshed_urls[0]?.original).toBe(url);
    expect((await fetch(refreshed.refreshed_urls[0]?.refreshed ?? '')).status).toBe(200);
    expect(refreshed.refreshed_urls[1]).toEqual({ original: 'https://example.com/x.png', refreshed: 'https://example.com/x.png' });
  });
});

describe('CDN expiry with an injected clock', () => {
  let now = Date.UTC(2025, 0, 1, 12);
  simTest.override({ simOptions: { now: () => now, cdnUrlTtlMs: 60_000 } });

  simTest('an expired URL is refused until refreshed', async ({ user }) => {
    await startPicsi(user);
    const update = await user.gateway.waitForDispatch('MESSAGE_UPDATE');
    const url = (update.d as APIMessage).attachments[0]?.url ?? '';
    expect((await fetch(url)).status).toBe(200);
    now += 61_000;
    expect((await fetch(url)).status).toBe(403);
    const refreshed = (await (
      await user.rest.request('POST', '/attachments/refresh-urls', { attachment_urls: [url] })
    ).json()) as RefreshedUrlsBody;
    expect((await fetch(refreshed.refreshed_urls[0]?.refreshed ?? '')).status).toBe(200);
  });
});
