import type { APIApplicationCommand, APIApplicationCommandOption } from 'discord-api-types/v10';
import { ApplicationCommandType } from 'discord-api-types/v10';
import { IDENTITY_COMMANDS, IDENTITY_COMMAND_NAMES } from '../bot/insightfaceswap-ids.js';
import { PICSI, picsiOptions } from '../bot/insightfaceswap.js';
import type { PicsiOptionNames } from '../bot/insightfaceswap.js';
import type { CommandIndexBody } from '../wire.js';

/** An unrelated application whose index entries a driver must skip. */
export const DECOY_APPLICATION_ID = '1100000000000000001';

interface Declared {
  id: string;
  version: string;
  name: string;
  description: string;
  options: APIApplicationCommandOption[];
}

/**
 * The slash commands visible in a guild's command index: InsightFaceSwap's /picsi and identity
 * commands (all runnable) and a decoy. `bump()` publishes new versions of the bot's commands,
 * after which the old versions are rejected like Discord does.
 */
export class CommandRegistry {
  private readonly declared: Declared[];
  private readonly decoy: APIApplicationCommand;
  private indexVersion: string;
  private readonly guildsWithoutApplication = new Set<string>();

  constructor(
    private readonly applicationId: string,
    private readonly newId: () => string,
    /** The names /picsi declares its options under (and reads them by). */
    readonly picsiOptionNames: PicsiOptionNames = PICSI.optionNames,
  ) {
    this.indexVersion = newId();
    const declare = (name: string, description: string, options: APIApplicationCommandOption[]): Declared => ({
      id: newId(),
      version: newId(),
      name,
      description,
      options,
    });
    this.declared = [
      declare(PICSI.name, PICSI.description, picsiOptions(picsiOptionNames)),
      ...IDENTITY_COMMAND_NAMES.map((name) => declare(name, IDENTITY_COMMANDS[name].description, IDENTITY_COMMANDS[name].options)),
    ];
    // A decoy /picsi of another app comes first, so taking the first match by name is wrong.
    this.decoy = command(newId(), DECOY_APPLICATION_ID, newId(), PICSI.name, 'A different bot with the same command name', []);
  }

  get picsi(): APIApplicationCommand {
    const picsi = this.byName(PICSI.name);
    if (!picsi) throw new Error('/picsi is always declared');
    return picsi;
  }

  /** One of InsightFaceSwap's commands by name. */
  byName(name: string): APIApplicationCommand | undefined {
    const found = this.declared.find((d) => d.name === name);
    return found && command(found.id, this.applicationId, found.version, found.name, found.description, found.options);
  }

  bump(): void {
    for (const d of this.declared) d.version = this.newId();
    this.indexVersion = this.newId();
  }

  find(id: string): APIApplicationCommand | undefined {
    if (id === this.decoy.id) return this.decoy;
    const found = this.declared.find((d) => d.id === id);
    return found && this.byName(found.name);
  }

  /** Models the application not added to a guild: its commands leave that guild's index. */
  removeApplicationFrom(guildId: string): void {
    this.guildsWithoutApplication.add(guildId);
  }

  /** The same index for every guild (InsightFaceSwap's commands are global), unless it was removed from `guildId`. */
  index(guildId?: string): CommandIndexBody {
    const keep = (applicationId: string): boolean =>
      applicationId !== this.applicationId || !this.guildsWithoutApplication.has(guildId ?? '');
    const own = this.declared.flatMap((d) => this.byName(d.name) ?? []);
    const commands = [this.decoy, ...own].filter((c) => keep(c.application_id));
    return {
      applications: [
        { id: DECOY_APPLICATION_ID, name: 'Decoy Swapper', description: '', icon: null, bot_id: DECOY_APPLICATION_ID },
        { id: this.applicationId, name: 'InsightFaceSwap', description: '', icon: null, bot_id: this.applicationId },
      ].filter((a) => keep(a.id)),
      application_commands: commands,
      version: this.indexVersion,
    };
  }
}

function command(
  id: string,
  applicationId: string,
  version: string,
  name: string,
  description: string,
  options: APIApplicationCommandOption[],
): APIApplicationCommand {
  return {
    id,
    application_id: applicationId,
    version,
    name,
    description,
    type: ApplicationCommandType.ChatInput,
    options,
    default_member_permissions: null,
  };
}
