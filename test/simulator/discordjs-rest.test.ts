import { DiscordAPIError, REST, RateLimitError } from '@discordjs/rest';
import { RESTJSONErrorCodes } from 'discord-api-types/v10';
import { describe, expect } from 'vitest';
import type { CommandIndexBody, UploadSlotsBody } from '../../src/simulator/index.js';
import { picsiBody } from '../helpers/picsi-client.js';
import { simTest } from '../helpers/sim-fixture.js';
import { finalReply, sampleImages } from '../helpers/sim-session.js';

/** The fixture plus an @discordjs/rest client, disposed after the test. */
const test = simTest.extend<{ rest: REST }>({
  rest: async ({ sim }, use) => {
    const rest = new REST({ api: sim.apiUrl, version: '9', retries: 0, rejectOnRateLimit: ['/interactions'] });
    await use(rest);
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  },
});

/** @discordjs/rest as a user client (auth: false + raw Authorization), see docs/discord-protocol.md. */
describe('@discordjs/rest as a user client', () => {
  test('runs /picsi end to end; stale versions surface as DiscordAPIError 50035; 429 as RateLimitError', async ({ sim, user, rest }) => {
    const opts = { auth: false, headers: { Authorization: user.account.token } };
    const index = (await rest.get(`/guilds/${user.account.guildId}/application-command-index`, opts)) as CommandIndexBody;
    const command = index.application_commands.find((c) => c.application_id === sim.applicationId && c.name === 'picsi');
    if (!command) throw new Error('no picsi');

    const images = await sampleImages();
    const upload = async (): Promise<{ id: string; filename: string; uploaded_filename: string }[]> => {
      const slots = (await rest.post(`/channels/${user.account.channelId}/attachments`, {
        ...opts,
        body: { files: [images.source, images.target].map((f, i) => ({ id: String(i), filename: f.filename, file_size: f.bytes.length })) },
      })) as UploadSlotsBody;
      await Promise.all(
        slots.attachments.map((s, i) =>
          fetch(s.upload_url, { method: 'PUT', body: new Uint8Array([images.source, images.target][i]!.bytes) }),
        ),
      );
      return slots.attachments.map((s, i) => ({
        id: s.id,
        filename: [images.source, images.target][i]?.filename ?? '',
        uploaded_filename: s.upload_filename,
      }));
    };
    const attachments = await upload();

    sim.script(user.account.channelId, { kind: 'rateLimit', retryAfterSeconds: 0.2 }, { kind: 'staleCommandVersion' });
    const body = picsiBody(user.account, user.sessionId, command, attachments);
    const limited = await rest.post('/interactions', { ...opts, body }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitError);
    const { retryAfter } = limited as RateLimitError;
    expect(retryAfter).toBeGreaterThan(0);

    // The next attempt is sent (the 429 was scripted, not a bucket the library learnt): 50035.
    const stale = await rest.post('/interactions', { ...opts, body }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(DiscordAPIError);
    expect((stale as DiscordAPIError).code).toBe(RESTJSONErrorCodes.InvalidFormBodyOrContentType);
    expect((stale as DiscordAPIError).message).toContain('INTERACTION_APPLICATION_COMMAND_INVALID_VERSION');

    const reindexed = (await rest.get(`/guilds/${user.account.guildId}/application-command-index`, opts)) as CommandIndexBody;
    const current = reindexed.application_commands.find((c) => c.id === command.id);
    if (!current) throw new Error('picsi vanished');
    const ok = picsiBody(user.account, user.sessionId, current, attachments);
    await rest.post('/interactions', { ...opts, body: ok });
    expect((await finalReply(user, ok.nonce)).attachments).toHaveLength(1);
  });
});
