/**
 * The account checks, in the order they run. None runs a bot command: they read the account, its
 * guild, channel and command index, open and close one gateway session, and ask for (but never
 * use) one upload slot.
 */
import type { APIChannel, APIGuild, APIUser } from 'discord-api-types/v10';
import { INSIGHTFACESWAP_APPLICATION_ID, PICSI_COMMAND_NAME } from '../discord/protocol.js';
import { probeProxy } from '../discord/proxy.js';
import { maskProxy } from '../jobs/account-pacing.js';
import type { Check, CheckOutcome } from './types.js';
import { commandsOutcome } from './commands.js';

const pass = (summary: string, details?: Record<string, unknown>): CheckOutcome => ({
  status: 'pass',
  summary,
  ...(details ? { details } : {}),
});
const fail = (summary: string, fix: string, details?: Record<string, unknown>): CheckOutcome => ({
  status: 'fail',
  summary,
  fix,
  ...(details ? { details } : {}),
});

/** The file the upload slot is asked for: tiny, and never uploaded. */
export const PROBE_FILE = { id: '0', filename: 'picsi-doctor.png', file_size: 1 } as const;

const proxy: Check = {
  name: 'proxy',
  needs: [],
  request: (account) => (account.proxy ? `a connection to the proxy ${maskProxy(account.proxy)}` : 'no proxy'),
  async run({ account }) {
    if (!account.proxy) return pass('none');
    const probe = await probeProxy(account.proxy);
    if (!probe.reachable)
      return fail(
        `down (${probe.error})`,
        `the proxy ${probe.proxy} does not answer (${probe.error}): bring it back or give the account another proxy`,
        { proxy: probe.proxy, error: probe.error },
      );
    return pass(new URL(account.proxy).protocol.replace(':', ''), { proxy: maskProxy(account.proxy) });
  },
};

const token: Check = {
  name: 'token',
  needs: ['proxy'],
  request: () => 'GET /users/@me',
  async run({ session }, signal) {
    const user = (await session.rest.get('/users/@me', signal)) as Partial<APIUser>;
    if (typeof user.id !== 'string' || typeof user.username !== 'string')
      return fail('no user', 'Discord answered GET /users/@me without a user: check DISCORD_API_URL');
    const name = user.discriminator && user.discriminator !== '0' ? `${user.username}#${user.discriminator}` : user.username;
    return pass(name, { id: user.id, username: user.username, ...(user.global_name ? { globalName: user.global_name } : {}) });
  },
};

const guild: Check = {
  name: 'guild',
  needs: ['token'],
  request: (account) => `GET /guilds/${account.server}`,
  notVisibleFix: (account) =>
    `guild ${account.server} not visible to this account: join the server with this account / check the server id`,
  async run({ account, session }, signal) {
    const found = (await session.rest.get(`/guilds/${account.server}`, signal)) as Partial<APIGuild>;
    return pass(found.name ?? account.server, { id: account.server, name: found.name ?? null });
  },
};

const channel: Check = {
  name: 'channel',
  needs: ['token'],
  request: (account) => `GET /channels/${account.channel}`,
  notVisibleFix: (account) =>
    `channel ${account.channel} not visible to this account: invite the account to the channel's server / check the channel id`,
  async run({ account, session }, signal) {
    const found = (await session.rest.get(`/channels/${account.channel}`, signal)) as Partial<APIChannel> & { guild_id?: string };
    const name = typeof found.name === 'string' ? `#${found.name}` : account.channel;
    const details = { id: account.channel, name: found.name ?? null, guildId: found.guild_id ?? null };
    if (found.guild_id !== account.server) {
      const where = found.guild_id ? `guild ${found.guild_id}` : 'no guild';
      return fail(
        `in ${where}`,
        `channel ${account.channel} belongs to ${where}, not to guild ${account.server}: fix "server" or "channel" in DISCORD_ACCOUNTS`,
        details,
      );
    }
    return pass(name, details);
  },
};

const commands: Check = {
  name: 'commands',
  needs: ['token', 'guild'],
  request: (account) => `GET /guilds/${account.server}/application-command-index`,
  notVisibleFix: (account) =>
    `the command index of guild ${account.server} is not visible to this account: join the server with this account`,
  async run({ account, session }, signal) {
    const index = await session.rest.commandIndex(account.server, signal);
    return commandsOutcome(index.application_commands, account.server, INSIGHTFACESWAP_APPLICATION_ID, PICSI_COMMAND_NAME);
  },
};

const gateway: Check = {
  name: 'gateway',
  needs: ['token'],
  request: () => 'the gateway (IDENTIFY → READY)',
  async run({ session }, signal) {
    await session.gateway.waitReady(signal);
    const userId = session.gateway.userId ?? null;
    await session.gateway.close();
    return pass('READY', { userId });
  },
};

const upload: Check = {
  name: 'upload',
  needs: ['token', 'channel'],
  request: (account) => `POST /channels/${account.channel}/attachments`,
  notVisibleFix: (account) => `the account may not upload to channel ${account.channel}: give it the Attach Files permission there`,
  async run({ account, session }, signal) {
    const { attachments } = await session.rest.attachmentSlots(account.channel, { files: [{ ...PROBE_FILE }] }, signal);
    const slot = attachments.find((a) => String(a.id) === PROBE_FILE.id);
    if (!slot?.upload_url) return fail('no slot', `Discord answered POST /channels/${account.channel}/attachments without an upload slot`);
    return pass('ok', { filename: PROBE_FILE.filename });
  },
};

export const CHECKS: readonly Check[] = [proxy, token, guild, channel, commands, gateway, upload];
