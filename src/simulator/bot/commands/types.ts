import type { APIAttachment, APIEmbed } from 'discord-api-types/v10';
import type { GatewaySession } from '../../gateway/sessions.js';
import type { AccountRegistry, SimChannel, SimUser } from '../../state/accounts.js';
import type { CdnStore } from '../../state/cdn.js';
import type { IdentityStore } from '../../state/identities.js';
import type { InFlightHandle } from '../../state/instrumentation.js';
import type { BotBehaviour } from '../../types.js';
import { describedErrorEmbed, errorEmbed } from '../insightfaceswap.js';
import type { BotErrorKind, PicsiOptionNames } from '../insightfaceswap.js';

/** Behaviours that reach the bot; rate limits and stale versions are answered by REST. */
export type BotRunBehaviour = Exclude<BotBehaviour, { kind: 'rateLimit' } | { kind: 'staleCommandVersion' }>;

export interface UploadedFile {
  bytes: Buffer;
  filename: string;
}

/** The options of one invocation, by option name, as the command index declared them. */
export interface CommandArgs {
  files: ReadonlyMap<string, UploadedFile>;
  strings: ReadonlyMap<string, string>;
}

export interface BotJob {
  interactionId: string;
  nonce: string;
  session: GatewaySession;
  channel: SimChannel;
  user: SimUser;
  command: string;
  args: CommandArgs;
  behaviour: BotRunBehaviour;
  inFlight: InFlightHandle;
}

/** How the bot's answer ends: image(s), plain text, or a red error embed. */
export type Final =
  | { kind: 'result'; content: string; attachments: APIAttachment[] }
  | { kind: 'text'; content: string }
  | { kind: 'botError'; embed: APIEmbed };

export interface HandlerDeps {
  accounts: AccountRegistry;
  identities: IdentityStore;
  cdn: CdnStore;
  newId: () => string;
  picsiOptionNames: PicsiOptionNames;
}

export interface CommandHandler {
  /** Image commands defer (LOADING placeholder, then an edit); text commands answer with a message. */
  deferred: boolean;
  run(job: BotJob, deps: HandlerDeps): Promise<Final>;
}

/** A refusal with one of the bot's /picsi error embeds. */
export const botError = (kind: BotErrorKind): Final => ({ kind: 'botError', embed: errorEmbed(kind) });

/** A refusal whose description names the offending value (identity and GIF errors). */
export const refuse = (description: string): Final => ({ kind: 'botError', embed: describedErrorEmbed(description) });
