/**
 * InsightFaceSwap's entries of a guild's application-command-index, found by application id AND
 * name (another app may have a /picsi too). The index is cached per guild until a version goes stale.
 */
import type { APIApplicationCommand } from 'discord-api-types/v10';
import { DriverError } from './types.js';
import { INSIGHTFACESWAP_APPLICATION_ID } from './protocol.js';
import type { ApplicationCommandIndex } from './protocol.js';

export type FetchIndex = (guildId: string, signal: AbortSignal) => Promise<ApplicationCommandIndex>;

export class CommandIndex {
  private readonly cache = new Map<string, ApplicationCommandIndex>();

  constructor(
    private readonly fetchIndex: FetchIndex,
    private readonly applicationId = INSIGHTFACESWAP_APPLICATION_ID,
  ) {}

  /** The command's entry, from the cached index or a fetched one. `refresh` forgets the cached index first. */
  async command(guildId: string, name: string, signal: AbortSignal, refresh = false): Promise<APIApplicationCommand> {
    if (refresh) this.cache.delete(guildId);
    let index = this.cache.get(guildId);
    let fetched = false;
    if (!index) {
      index = await this.fetchIndex(guildId, signal);
      fetched = true;
    }
    let command = this.find(index, name);
    if (!command && !fetched) {
      // Cached before the bot added this command: look once more.
      index = await this.fetchIndex(guildId, signal);
      command = this.find(index, name);
    }
    if (!command) {
      throw new DriverError('DISCORD_ERROR', `No /${name} of application ${this.applicationId} in the command index of guild ${guildId}`, {
        commandSent: false,
        details: { guild: guildId, applicationId: this.applicationId, commands: index.application_commands.length },
      });
    }
    this.cache.set(guildId, index);
    return command;
  }

  private find(index: ApplicationCommandIndex, name: string): APIApplicationCommand | undefined {
    return index.application_commands.find((c) => c.application_id === this.applicationId && c.name === name);
  }
}
