import { DiscordAPIError, REST, RateLimitError } from '@discordjs/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INVALID_FORM_BODY_CODE } from '../../src/discord/protocol.js';
import type { ApplicationCommandIndex, AttachmentSlotsResponse } from '../../src/discord/protocol.js';
import type { DiscordSimulator } from '../../src/simulator/index.js';
import { picsiBody } from '../helpers/picsi-client.js';
import type { UserSession } from '../helpers/sim-session.js';
import { finalReply, loginUser, sampleImages, startSimulator } from '../helpers/sim-session.js';

/** @discordjs/rest as a user client (auth: false + raw Authorization), the way protocol.md §2 says. */
describe('@discordjs/rest as a user client', () => {
  let sim: DiscordSimulator;
  let user: UserSession;
  let rest: REST;

  beforeEach(async () => {
    sim = await startSimulator();
    user = await loginUser(sim);
    rest = new REST({ api: sim.apiUrl, version: '9', retries: 0, rejectOnRateLimit: ['/interactions'] });
  });
  afterEach(async () => {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
    await sim.close();
  });

  const asUser = { auth: false, headers: { Authorization: '' } };

  it('runs /picsi end to end; stale versions surface as DiscordAPIError 50035; 429 as RateLimitError', async () => {
    const opts = { ...asUser, headers: { Authorization: user.account.token } };
    const index = (await rest.get(`/guilds/${user.account.guildId}/application-command-index`, opts)) as ApplicationCommandIndex;
    const command = index.application_commands.find((c) => c.application_id === sim.applicationId && c.name === 'picsi');
    if (!command) throw new Error('no picsi');

    const images = await sampleImages();
    const upload = async (): Promise<{ id: string; filename: string; uploaded_filename: string }[]> => {
      const slots = (await rest.post(`/channels/${user.account.channelId}/attachments`, {
        ...opts,
        body: { files: [images.source, images.target].map((f, i) => ({ id: String(i), filename: f.filename, file_size: f.bytes.length })) },
      })) as AttachmentSlotsResponse;
      await Promise.all(slots.attachments.map((s, i) => fetch(s.upload_url, { method: 'PUT', body: new Uint8Array([images.source, images.target][i]!.bytes) })));
      return slots.attachments.map((s, i) => ({ id: s.id, filename: [images.source, images.target][i]?.filename ?? '', uploaded_filename: s.upload_filename }));
    };
    const attachments = await upload();

    sim.script(user.account.channelId, { kind: 'rateLimit', retryAfterSeconds: 0.2 }, { kind: 'staleCommandVersion' });
    const body = picsiBody(user.account, user.sessionId, command, attachments);
    const limited = await rest.post('/interactions', { ...opts, body }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitError);
    const { retryAfter } = limited as RateLimitError;
    expect(retryAfter).toBeGreaterThan(0);
    // Like Discord, the 429 exhausts the route's bucket: the client itself refuses until then.
    await new Promise((r) => setTimeout(r, retryAfter + 20));

    const stale = await rest.post('/interactions', { ...opts, body }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(DiscordAPIError);
    expect((stale as DiscordAPIError).code).toBe(INVALID_FORM_BODY_CODE);
    expect((stale as DiscordAPIError).message).toContain('INTERACTION_APPLICATION_COMMAND_INVALID_VERSION');

    const fresh = (await rest.get(`/guilds/${user.account.guildId}/application-command-index`, opts)) as ApplicationCommandIndex;
    const current = fresh.application_commands.find((c) => c.id === command.id);
    if (!current) throw new Error('picsi vanished');
    const ok = picsiBody(user.account, user.sessionId, current, attachments);
    await rest.post('/interactions', { ...opts, body: ok });
    expect((await finalReply(user, ok.nonce)).attachments).toHaveLength(1);
  });
});
