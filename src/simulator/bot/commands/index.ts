import { PICSI } from '../insightfaceswap.js';
import type { IdentityCommandName } from '../insightfaceswap-ids.js';
import { saveid, swapid } from './identity-images.js';
import { delall, delid, listid, setid } from './identity-texts.js';
import { picsi } from './picsi.js';
import type { CommandHandler } from './types.js';

/** Every command the simulated bot runs, by name. */
export const COMMAND_HANDLERS: Readonly<Record<typeof PICSI.name | IdentityCommandName, CommandHandler>> = {
  [PICSI.name]: picsi,
  saveid,
  swapid,
  setid,
  listid,
  delid,
  delall,
};

export function handlerFor(name: string): CommandHandler | undefined {
  return Object.hasOwn(COMMAND_HANDLERS, name) ? COMMAND_HANDLERS[name as keyof typeof COMMAND_HANDLERS] : undefined;
}
