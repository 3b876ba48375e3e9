/**
 * Runs any of the simulated bot's commands the way a user client does: the command from the
 * guild's index (by application AND name), attachments through upload slots, POST /interactions,
 * and the bot's final answer from the gateway.
 */
import { ApplicationCommandOptionType, ApplicationCommandType, GatewayOpcodes, InteractionType, MessageFlags } from 'discord-api-types/v10';
import type { APIApplicationCommand, APIMessage } from 'discord-api-types/v10';
import { BOT_APPLICATION_ID } from '../../src/simulator/index.js';
import type { CommandIndexBody } from '../../src/simulator/index.js';
import type { AttachmentRef, FileToSend, InvokeOption } from './picsi-client.js';
import { freshNonce } from './picsi-client.js';
import type { UserSession } from './sim-session.js';

export interface CommandInput {
  strings?: Record<string, string>;
  files?: Record<string, FileToSend>;
}

export async function botCommand(user: UserSession, name: string): Promise<APIApplicationCommand> {
  const index = await user.rest.json<CommandIndexBody>('GET', `/guilds/${user.account.guildId}/application-command-index`);
  const found = index.application_commands.find((c) => c.application_id === BOT_APPLICATION_ID && c.name === name);
  if (!found) throw new Error(`no /${name} in the command index`);
  return found;
}

/** POSTs /interactions for `/name` with the given options; returns the raw response and the nonce. */
export async function startCommand(
  user: UserSession,
  name: string,
  input: CommandInput = {},
): Promise<{ response: Response; nonce: string }> {
  const command = await botCommand(user, name);
  const fileEntries = Object.entries(input.files ?? {});
  const refs: AttachmentRef[] =
    fileEntries.length > 0
      ? await user.rest.upload(
          user.account.channelId,
          fileEntries.map(([, f]) => f),
        )
      : [];
  const options: InvokeOption[] = [
    ...Object.entries(input.strings ?? {}).map(([optionName, value]) => ({
      type: ApplicationCommandOptionType.String as const,
      name: optionName,
      value,
    })),
    ...fileEntries.map(([optionName], i) => ({ type: ApplicationCommandOptionType.Attachment as const, name: optionName, value: i })),
  ];
  const nonce = freshNonce();
  const response = await user.rest.request('POST', '/interactions', {
    type: InteractionType.ApplicationCommand,
    application_id: command.application_id,
    guild_id: user.account.guildId,
    channel_id: user.account.channelId,
    session_id: user.sessionId,
    nonce,
    data: {
      version: command.version,
      id: command.id,
      name,
      type: ApplicationCommandType.ChatInput,
      options,
      application_command: command,
      attachments: refs,
    },
  });
  return { response, nonce };
}

/** The bot's final answer to the interaction with this nonce: an edit of the placeholder or a new message. */
export async function answerTo(
  user: UserSession,
  nonce: string,
): Promise<{ message: APIMessage; event: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE' }> {
  const created = await user.gateway.waitForDispatch('INTERACTION_CREATE', (d) => d.nonce === nonce);
  const id = (created.d as { id: string }).id;
  const frame = await user.gateway.waitFor((f) => {
    if (f.op !== GatewayOpcodes.Dispatch || (f.t !== 'MESSAGE_CREATE' && f.t !== 'MESSAGE_UPDATE')) return false;
    const m = f.d as APIMessage;
    return m.interaction_metadata?.id === id && ((m.flags ?? 0) & MessageFlags.Loading) === 0;
  }, 15_000);
  return { message: frame.d as APIMessage, event: frame.t as 'MESSAGE_CREATE' | 'MESSAGE_UPDATE' };
}

/** Runs `/name` and returns its final answer; the POST must be accepted. */
export async function runCommand(user: UserSession, name: string, input: CommandInput = {}): Promise<APIMessage> {
  const { response, nonce } = await startCommand(user, name, input);
  if (response.status !== 204) throw new Error(`/${name} → ${response.status} ${await response.text()}`);
  return (await answerTo(user, nonce)).message;
}

/** The bytes of a result attachment, fetched from the simulator's CDN. */
export async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}
