import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, MessageFlags } from 'discord.js';
import type { Guild, Message, PartialMessage } from 'discord.js';
import { describe, expect } from 'vitest';
import { simTest } from '../helpers/sim-fixture.js';
import { loginUser, startPicsi } from '../helpers/sim-session.js';

/** The fixture plus a discord.js Client (not logged in yet) pointed at the simulator. */
const test = simTest.extend<{ client: Client }>({
  client: async ({ sim }, use) => {
    const client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      rest: { api: sim.apiUrl },
    });
    await use(client);
    await client.destroy();
  },
});

/** A client we did not write proves the gateway and REST are faithful enough. */
describe('discord.js Client against the simulator', () => {
  test('logs in as the InsightFaceSwap bot and sees its guilds and channels', async ({ sim, client }) => {
    const account = sim.createAccount();
    const ready = once(client, Events.ClientReady);
    await client.login(sim.botToken);
    await ready;
    expect(client.user?.id).toBe(sim.applicationId);
    expect(client.application?.id).toBe(sim.applicationId);
    const guild = client.guilds.cache.get(account.guildId);
    expect(guild?.channels.cache.get(account.channelId)?.isTextBased()).toBe(true);
    expect(guild?.members.cache.has(account.userId ?? '')).toBe(true);

    const joined = once(client, Events.GuildCreate) as Promise<[Guild]>;
    const later = sim.createAccount();
    const [guildCreated] = await joined;
    expect(guildCreated.id).toBe(later.guildId);
  });

  test('receives messageCreate (LOADING) and messageUpdate (result) for a job run by a user session', async ({ sim, client }) => {
    const user = await loginUser(sim);
    const ready = once(client, Events.ClientReady);
    await client.login(sim.botToken);
    await ready;

    const created = once(client, Events.MessageCreate) as Promise<[Message]>;
    const updated = once(client, Events.MessageUpdate) as Promise<[Message | PartialMessage, Message]>;
    const { response } = await startPicsi(user);
    expect(response.status).toBe(204);

    const [placeholder] = await created;
    expect(placeholder.author.id).toBe(sim.applicationId);
    expect(placeholder.channelId).toBe(user.account.channelId);
    expect(placeholder.flags.has(MessageFlags.Loading)).toBe(true);
    expect(placeholder.interactionMetadata?.user.id).toBe(user.account.userId);

    const [before, after] = await updated;
    expect(after.id).toBe(placeholder.id);
    expect(before.flags?.has(MessageFlags.Loading)).toBe(true);
    expect(after.flags.has(MessageFlags.Loading)).toBe(false);
    const attachment = after.attachments.first();
    expect(attachment?.contentType).toBe('image/png');
    expect(attachment?.width).toBe(120);
    expect((await fetch(attachment?.url ?? '')).status).toBe(200);

    // The bot's REST view agrees with the user's.
    const channel = await client.channels.fetch(user.account.channelId);
    expect(channel?.isTextBased()).toBe(true);
    if (channel?.isTextBased()) {
      const fetched = await channel.messages.fetch({ limit: 5 });
      expect(fetched.first()?.attachments.first()?.id).toBe(attachment?.id);
    }
    await user.gateway.close();
  });

  test('resumes after a gateway drop and still gets the messages it missed', async ({ sim, client }) => {
    const user = await loginUser(sim);
    const ready = once(client, Events.ClientReady);
    await client.login(sim.botToken);
    await ready;
    const sessionRequestsBefore = sim.requests.filter((r) => r.path === '/gateway').length;

    const resumed = once(client, Events.ShardResume);
    const updated = once(client, Events.MessageUpdate) as Promise<[Message | PartialMessage, Message]>;
    sim.dropSessions(sim.botToken);
    // The job runs while discord.js is reconnecting; its events are replayed on RESUME.
    const { response } = await startPicsi(user);
    expect(response.status).toBe(204);
    const [[, after]] = await Promise.all([updated, resumed]);
    expect(after.attachments.size).toBe(1);
    expect(sim.requests.filter((r) => r.path === '/gateway-resume').length).toBe(1);
    expect(sim.requests.filter((r) => r.path === '/gateway').length).toBe(sessionRequestsBefore);
    await user.gateway.close();
  });
});
