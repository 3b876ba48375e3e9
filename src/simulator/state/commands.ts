import type { APIApplicationCommand, APIApplicationCommandOption } from 'discord-api-types/v10';
import { ApplicationCommandType } from 'discord-api-types/v10';
import { PICSI, SAVEID_OPTIONS, picsiOptions } from '../bot/insightfaceswap.js';
import type { PicsiOptionNames } from '../bot/insightfaceswap.js';
import type { CommandIndexBody } from '../wire.js';

/** An unrelated application whose index entries a driver must skip. */
export const DECOY_APPLICATION_ID = '1100000000000000001';

/**
 * The slash commands visible in a guild's command index. Only InsightFaceSwap's /picsi can be run;
 * its version changes on `bump()`, after which the old version is rejected like Discord does.
 */
export class CommandRegistry {
  private readonly picsiId: string;
  private picsiVersion: string;
  private readonly others: APIApplicationCommand[];
  private indexVersion: string;
  private readonly guildsWithoutApplication = new Set<string>();

  constructor(
    private readonly applicationId: string,
    private readonly newId: () => string,
    /** The names /picsi declares its options under (and reads them by). */
    readonly picsiOptionNames: PicsiOptionNames = PICSI.optionNames,
  ) {
    this.picsiId = newId();
    this.picsiVersion = newId();
    this.indexVersion = newId();
    // A decoy /picsi of another app comes first, so taking the first match by name is wrong.
    this.others = [
      command(newId(), DECOY_APPLICATION_ID, newId(), PICSI.name, 'A different bot with the same command name', []),
      command(newId(), applicationId, newId(), 'saveid', 'Save Identity Feature by Name and Image', SAVEID_OPTIONS),
    ];
  }

  get picsi(): APIApplicationCommand {
    return command(this.picsiId, this.applicationId, this.picsiVersion, PICSI.name, PICSI.description, picsiOptions(this.picsiOptionNames));
  }

  bump(): void {
    this.picsiVersion = this.newId();
    this.indexVersion = this.newId();
  }

  find(id: string): APIApplicationCommand | undefined {
    const picsi = this.picsi;
    return id === picsi.id ? picsi : this.others.find((c) => c.id === id);
  }

  /** Models the application not added to a guild: its commands leave that guild's index. */
  removeApplicationFrom(guildId: string): void {
    this.guildsWithoutApplication.add(guildId);
  }

  /** The same index for every guild (InsightFaceSwap's commands are global), unless it was removed from `guildId`. */
  index(guildId?: string): CommandIndexBody {
    const keep = (applicationId: string): boolean => applicationId !== this.applicationId || !this.guildsWithoutApplication.has(guildId ?? '');
    const commands = [this.others[0], this.picsi, this.others[1]].filter((c) => c !== undefined).filter((c) => keep(c.application_id));
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
