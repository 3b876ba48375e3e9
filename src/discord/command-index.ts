/**
 * The /picsi entry of a guild's application-command-index, filtered by application id AND name
 * (another app may have a /picsi too), cached per guild until the version goes stale.
 */
import type { APIApplicationCommand } from 'discord-api-types/v10';
import { DriverError } from './types.js';
import { INSIGHTFACESWAP_APPLICATION_ID, PICSI_COMMAND_NAME } from './protocol.js';
import type { ApplicationCommandIndex } from './protocol.js';

export type FetchIndex = (guildId: string, signal: AbortSignal) => Promise<ApplicationCommandIndex>;

export class CommandIndex {
  private readonly cache = new Map<string, APIApplicationCommand>();

  constructor(
    private readonly fetchIndex: FetchIndex,
    private readonly applicationId = INSIGHTFACESWAP_APPLICATION_ID,
    private readonly name = PICSI_COMMAND_NAME,
  ) {}

  /** The cached entry, or the index's (fetched once). `refresh` forgets the cached one first. */
  async picsi(guildId: string, signal: AbortSignal, refresh = false): Promise<APIApplicationCommand> {
    if (refresh) this.cache.delete(guildId);
    const cached = this.cache.get(guildId);
    if (cached) return cached;
    const index = await this.fetchIndex(guildId, signal);
    const command = index.application_commands.find((c) => c.application_id === this.applicationId && c.name === this.name);
    if (!command) {
      throw new DriverError(
        'DISCORD_ERROR',
        `No /${this.name} of application ${this.applicationId} in the command index of guild ${guildId}`,
        {
          commandSent: false,
          details: { guild: guildId, applicationId: this.applicationId, commands: index.application_commands.length },
        },
      );
    }
    this.cache.set(guildId, command);
    return command;
  }
}
