/** Reads InsightFaceSwap's entries out of a guild's command index: /picsi is required, the rest reported. */
import type { APIApplicationCommand } from 'discord-api-types/v10';
import type { CheckOutcome } from './types.js';

/** Commands reported when present (the identity commands the bot also offers). */
export const REPORTED_COMMANDS = ['saveid', 'swapid', 'setid', 'listid', 'delid', 'delall'] as const;

export interface FoundCommand {
  name: string;
  id: string;
  version: string;
  options: string[];
}

export function commandsOutcome(
  index: readonly APIApplicationCommand[],
  guildId: string,
  applicationId: string,
  required: string,
): CheckOutcome {
  const own = index.filter((c) => c.application_id === applicationId);
  const found = (name: string): FoundCommand | undefined => {
    const command = own.find((c) => c.name === name);
    return command && { name, id: command.id, version: command.version, options: (command.options ?? []).map((o) => o.name) };
  };
  const wanted = [required, ...REPORTED_COMMANDS];
  const present = wanted.flatMap((name) => found(name) ?? []);
  const details = { applicationId, commands: present, missing: wanted.filter((name) => !present.some((c) => c.name === name)) };
  if (own.length === 0) {
    return {
      status: 'fail',
      summary: 'bot missing',
      fix: `InsightFaceSwap is not in guild ${guildId}: add the bot to the server`,
      details,
    };
  }
  if (!present.some((c) => c.name === required)) {
    return {
      status: 'fail',
      summary: `no /${required}`,
      fix: `InsightFaceSwap is in guild ${guildId} but its /${required} command is not in the command index: re-add the bot to the server with its application commands`,
      details,
    };
  }
  return { status: 'pass', summary: present.map((c) => c.name).join(' '), details };
}
