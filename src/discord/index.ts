/**
 * The Discord driver: runs InsightFaceSwap's commands (/picsi and the identity commands) through user accounts, following
 * docs/discord-protocol.md ("Running another bot's slash command as a user").
 * `createDiscordDriver` is the only entry point the server needs.
 */
export { createDiscordDriver } from './driver.js';
export type { DiscordDriver, DiscordDriverOptions, DriverInspection } from './driver.js';
export { DriverError, DRIVER_FAILURE_CODES } from './types.js';
export type {
  CommandResult,
  CommandRun,
  DiscordAccount,
  ListedIdentities,
  DriverFailureCode,
  FollowCommand,
  PicsiCommand,
  CommandDriver,
  CommandHooks,
  UploadInput,
} from './types.js';
export { localFileInput } from './uploads.js';
export { classifyReply, REPLY_RULES, UNKNOWN_BOT_ERROR } from './reply-classifier.js';
export { spendsAccountForToday } from './bot-replies.js';
