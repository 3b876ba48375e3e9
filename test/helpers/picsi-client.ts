/**
 * A hand-written user client for simulator tests: plain fetch, wire constants from
 * discord-api-types, the command's names from the simulated bot (not from the driver).
 */
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionType } from 'discord-api-types/v10';
import type { APIApplicationCommand } from 'discord-api-types/v10';
import { PICSI } from '../../src/simulator/index.js';
import type { CommandIndexBody, DiscordSimulator, SimulatedAccount, UploadSlotsBody } from '../../src/simulator/index.js';

export interface AttachmentRef {
  id: string;
  filename: string;
  uploaded_filename: string;
}

export type InvokeOption =
  | { type: ApplicationCommandOptionType.Attachment; name: string; value: number }
  | { type: ApplicationCommandOptionType.String; name: string; value: string };

/** POST /interactions as a user client sends it for /picsi. */
export interface PicsiInvokeBody {
  type: InteractionType.ApplicationCommand;
  application_id: string;
  guild_id: string;
  channel_id: string;
  session_id: string;
  nonce: string;
  data: {
    version: string;
    id: string;
    name: string;
    type: ApplicationCommandType.ChatInput;
    options: InvokeOption[];
    application_command: APIApplicationCommand;
    attachments: AttachmentRef[];
  };
}

export interface FileToSend {
  filename: string;
  bytes: Buffer;
}

/** Plain-fetch REST calls as a user account: raw token, no `Bot ` prefix. */
export class UserRest {
  constructor(
    private readonly sim: DiscordSimulator,
    private readonly token: string | undefined,
    private readonly version = 9,
  ) {}

  url(path: string): string {
    return `${this.sim.apiUrl}/v${this.version}${path}`;
  }

  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(this.url(path), {
      method,
      headers: {
        ...(this.token ? { authorization: this.token } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** The InsightFaceSwap /picsi entry of the guild's command index (filtered by app AND name). */
  async picsiCommand(guildId: string): Promise<APIApplicationCommand> {
    const index = await this.json<CommandIndexBody>('GET', `/guilds/${guildId}/application-command-index`);
    const picsi = index.application_commands.find((c) => c.application_id === this.sim.applicationId && c.name === PICSI.name);
    if (!picsi) throw new Error('no /picsi in the command index');
    return picsi;
  }

  /** Requests upload slots and PUTs the bytes; returns the attachment refs for /interactions. */
  async upload(channelId: string, files: FileToSend[]): Promise<AttachmentRef[]> {
    const slots = await this.json<UploadSlotsBody>('POST', `/channels/${channelId}/attachments`, {
      files: files.map((f, i) => ({ id: String(i), filename: f.filename, file_size: f.bytes.length })),
    });
    return Promise.all(
      slots.attachments.map(async (slot, i) => {
        const file = files[i];
        if (!file) throw new Error('slot without a file');
        const put = await fetch(slot.upload_url, { method: 'PUT', body: new Uint8Array(file.bytes) });
        if (put.status !== 200) throw new Error(`upload PUT → ${put.status}`);
        return { id: slot.id, filename: file.filename, uploaded_filename: slot.upload_filename };
      }),
    );
  }
}

let nonceCounter = 0;
export const freshNonce = (): string => `${Date.now()}${String(++nonceCounter).padStart(6, '0')}`;

export function picsiBody(
  account: SimulatedAccount,
  sessionId: string,
  command: APIApplicationCommand,
  attachments: AttachmentRef[],
  options?: string,
  nonce = freshNonce(),
): PicsiInvokeBody {
  return {
    type: InteractionType.ApplicationCommand,
    application_id: command.application_id,
    guild_id: account.guildId,
    channel_id: account.channelId,
    session_id: sessionId,
    nonce,
    data: {
      version: command.version,
      id: command.id,
      name: PICSI.name,
      type: ApplicationCommandType.ChatInput,
      options: [
        { type: ApplicationCommandOptionType.Attachment, name: PICSI.optionNames.source, value: 0 },
        { type: ApplicationCommandOptionType.Attachment, name: PICSI.optionNames.target, value: 1 },
        ...(options !== undefined
          ? [{ type: ApplicationCommandOptionType.String as const, name: PICSI.optionNames.options, value: options }]
          : []),
      ],
      application_command: command,
      attachments,
    },
  };
}
