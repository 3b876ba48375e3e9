import type { APIUser } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import type { InsightFaceSwapBot } from './bot/bot.js';
import type { SessionRegistry } from './gateway/sessions.js';
import type { AccountFaults } from './state/account-faults.js';
import type { AccountRegistry } from './state/accounts.js';
import type { CdnStore } from './state/cdn.js';
import type { CommandRegistry } from './state/commands.js';
import type { IdentityStore } from './state/identities.js';
import type { Instrumentation } from './state/instrumentation.js';
import type { MessageStore } from './state/messages.js';
import type { BehaviourScripts } from './state/scripts.js';
import type { UploadStore } from './state/uploads.js';
import type { TimerSet } from './timers.js';

/** Everything a REST route may read or change; built once by DiscordSimulator. */
export interface SimulatorContext {
  applicationId: string;
  botToken: string;
  botUser: APIUser;
  accounts: AccountRegistry;
  /** Scripted faults of accounts (captcha, verification, lost access), by token. */
  faults: AccountFaults;
  commands: CommandRegistry;
  uploads: UploadStore;
  cdn: CdnStore;
  messages: MessageStore;
  sessions: SessionRegistry;
  scripts: BehaviourScripts;
  stats: Instrumentation;
  identities: IdentityStore;
  bot: InsightFaceSwapBot;
  timers: TimerSet;
  /** Mutable at run time through DiscordSimulator.setBotDelay and setLinkMbps (0 = no link limit: http/link.ts). */
  settings: { botDelayMs: number; linkMbps: number };
  newId: () => string;
  nowIso: () => string;
  logger: Logger;
  /** `http://host:port` once listening. */
  origin: () => string;
  gatewayUrl: () => string;
}
