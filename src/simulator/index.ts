/**
 * A simulated Discord for tests, demos and benchmarks (docs/discord-protocol.md describes the wire).
 *
 *   const sim = await DiscordSimulator.start({ botDelayMs: 0 });
 *   const account = sim.createAccount();            // token, guildId, channelId, userId
 *   // point the driver at sim.apiUrl (DISCORD_API_URL); the gateway URL comes from GET /gateway
 *   sim.script(account.channelId, { kind: 'rateLimit', retryAfterSeconds: 1 });
 *   ...
 *   sim.stats(account.channelId).maxInFlight;        // mutual-exclusion checks
 *   await sim.close();
 *
 * Semantics worth knowing when writing a driver against it:
 * - Auth: users send the raw token, bots `Bot <token>` (sim.botToken is InsightFaceSwap's own).
 * - A scripted behaviour is consumed by the first POST /interactions of the channel that passes
 *   auth, shape, channel, session and upload checks, whatever the command; an empty script means
 *   success.
 * - The bot runs /picsi and the identity commands (saveid, swapid, setid, listid, delid, delall).
 *   Image commands defer (LOADING placeholder, then MESSAGE_UPDATE); text commands answer with a
 *   MESSAGE_CREATE. Identities belong to the user (token), not the channel: `identities()`.
 * - Accounts have a plan (`plan`, `setPlan()`; basic by default) that sets GIF frame limits and price.
 * - Uploads are single use: consumed when an interaction using them is accepted (204), kept when
 *   the request is rejected (400/429), so a retry may reuse them.
 * - The 204 is written before any dispatch, but the two travel on different sockets: listen for
 *   INTERACTION_CREATE before POSTing.
 * - INTERACTION_FAILURE arrives after min(bot delay, 3 s).
 * - Times in `requests` and `interactionsLog` are performance.now() of this process.
 * - Frames are plain JSON text even when `compress=zlib-stream` is asked for.
 */
export { DiscordSimulator } from './simulator.js';
export { DEMO_ACCOUNT } from './demo-account.js';
export { CAPTCHA_BODY, type AccountFault } from './state/account-faults.js';
export type {
  BotBehaviour,
  BotErrorKind,
  ChannelStats,
  GatewayIdentification,
  Credits,
  IdentitySnapshot,
  InteractionLogEntry,
  InteractionOutcome,
  Plan,
  RecordedRequest,
  SimulatedAccount,
  SimulatorOptions,
} from './types.js';
export { DECOY_APPLICATION_ID } from './state/commands.js';
export {
  BOT_APPLICATION_ID,
  BOT_ERROR_KINDS,
  BOT_ERRORS,
  DAILY_FREE_CREDITS,
  DEFAULT_PLAN,
  ERROR_COLOUR,
  GIF_ERRORS,
  GIF_MAX_BYTES,
  GIF_RULES,
  PICSI,
  PICSI_CREDIT_COST,
} from './bot/insightfaceswap.js';
export {
  IDENTITY_COMMAND_NAMES,
  IDENTITY_COMMANDS,
  IDENTITY_CREDIT_COST,
  IDENTITY_ERRORS,
  IDENTITY_TEXTS,
  MAX_SAVED_IDS,
  MAX_SWAPID_NAMES,
} from './bot/insightfaceswap-ids.js';
export type { IdentityCommandName } from './bot/insightfaceswap-ids.js';
export type { CommandIndexBody, RefreshedUrlsBody, UploadSlotsBody, UserReadyData } from './wire.js';
export { GATEWAY_PATH, RESUME_PATH } from './gateway/server.js';
