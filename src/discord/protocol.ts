/**
 * Discord wire facts shared by the simulator and the real driver. Facts marked (inferred) are
 * not confirmed by a public source: keep every such guess here so a wrong one is a one-line fix.
 * Everything the public `discord-api-types` package already models is re-exported, not redefined.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
  InteractionType,
  MessageFlags,
  RESTJSONErrorCodes,
} from 'discord-api-types/v10';
import type {
  APIApplicationCommand,
  APIUnavailableGuild,
  APIUser,
  GatewayPresenceUpdateData,
  RESTError,
  RESTRateLimit,
  Snowflake,
} from 'discord-api-types/v10';

export {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
  InteractionType,
  MessageFlags,
  RESTJSONErrorCodes,
};
export type { APIApplicationCommand, RESTError, RESTRateLimit, Snowflake };

// --- InsightFaceSwap ------------------------------------------------------------------------

/** InsightFaceSwap's application id, which is also its bot user's id (verified). */
export const INSIGHTFACESWAP_APPLICATION_ID = '1090660574196674713';
export const PICSI_COMMAND_NAME = 'picsi';
/** Option names of /picsi (inferred): always read the real ones from the command index. */
export const PICSI_OPTION_NAMES = {
  source: 'source_image',
  target: 'target_image_gif_or_video',
  options: 'options',
} as const;
/** Credits one /picsi costs (inferred, from a third-party page). */
export const PICSI_CREDIT_COST = 3;
/** Free credits per account per UTC day (inferred). */
export const DAILY_FREE_CREDITS = 50;
/** Discord's global REST limit per account (protocol.md §2): the default of DISCORD_GLOBAL_RATE_LIMIT. */
export const GLOBAL_REQUESTS_PER_SECOND = 50;

// --- Messages -------------------------------------------------------------------------------

/** Flag of the bot's "is thinking…" placeholder (deferred interaction reply). */
export const LOADING_MESSAGE_FLAG = MessageFlags.Loading; // 128
/** Red embed colour used for error replies by convention (0xff0000). */
export const ERROR_EMBED_COLOUR = 16711680;

// --- REST errors ----------------------------------------------------------------------------

export const INVALID_FORM_BODY_CODE = RESTJSONErrorCodes.InvalidFormBodyOrContentType; // 50035
/** `errors.data._errors[].code` when the command's id/version is stale (verified). */
export const INVALID_COMMAND_VERSION_ERROR = 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION';
export const INVALID_COMMAND_VERSION_MESSAGE =
  'This command is outdated, please try again in a few minutes';
/** Body Discord sends with a 429 (verified message text). */
export const RATE_LIMIT_MESSAGE = 'The resource is being rate limited.';

// --- Interactions ---------------------------------------------------------------------------

/** `reason_code` values of INTERACTION_FAILURE. Only 2 is confirmed. */
export const InteractionFailureReason = {
  /** The application did not acknowledge the interaction within 3 s. */
  ApplicationDidNotRespond: 2,
} as const;
/** How long Discord waits for the bot to acknowledge an interaction. */
export const INTERACTION_ACK_TIMEOUT_MS = 3000;

/** A /picsi option as sent in the /interactions body: attachments by index, options as text. */
export type PicsiInvokeOption =
  | { type: ApplicationCommandOptionType.Attachment; name: string; value: number }
  | { type: ApplicationCommandOptionType.String; name: string; value: string };

export interface InteractionAttachmentRef {
  id: string;
  filename: string;
  /** The `upload_filename` returned by POST /channels/{id}/attachments. */
  uploaded_filename: string;
}

/** Body of `POST /interactions` as a user client sends it for a slash command. */
export interface SlashCommandInvokeBody {
  type: InteractionType.ApplicationCommand;
  application_id: Snowflake;
  guild_id: Snowflake;
  channel_id: Snowflake;
  /** The session_id from READY of the gateway session that should receive the events. */
  session_id: string;
  /** Client-chosen snowflake-like id echoed in INTERACTION_CREATE/SUCCESS/FAILURE. */
  nonce: string;
  data: {
    version: Snowflake;
    id: Snowflake;
    name: string;
    type: ApplicationCommandType.ChatInput;
    options: PicsiInvokeOption[];
    application_command?: APIApplicationCommand;
    attachments: InteractionAttachmentRef[];
  };
}

/** `GET /guilds/{id}/application-command-index` (user-only endpoint, not in discord-api-types). */
export interface ApplicationCommandIndex {
  applications: ApplicationCommandIndexApplication[];
  application_commands: APIApplicationCommand[];
  version: Snowflake;
}
export interface ApplicationCommandIndexApplication {
  id: Snowflake;
  name: string;
  description: string;
  icon: string | null;
  bot_id?: Snowflake;
}

// --- Attachments ----------------------------------------------------------------------------

/** `POST /channels/{id}/attachments` request. */
export interface AttachmentSlotsRequest {
  files: { id: string; filename: string; file_size: number; is_clip?: boolean }[];
}
/** `POST /channels/{id}/attachments` response; PUT the bytes to `upload_url` without auth. */
export interface AttachmentSlotsResponse {
  attachments: { id: string; upload_url: string; upload_filename: string }[];
}
/** `POST /attachments/refresh-urls`. */
export interface RefreshUrlsRequest {
  attachment_urls: string[];
}
export interface RefreshUrlsResponse {
  refreshed_urls: { original: string; refreshed: string }[];
}
/** Query parameters of a signed CDN URL: expiry and issue time (hex unix seconds) and HMAC. */
export const CDN_SIGNATURE_PARAMS = ['ex', 'is', 'hm'] as const;

// --- Gateway (user session) -----------------------------------------------------------------

export const GATEWAY_VERSIONS = [9, 10] as const;

/** IDENTIFY `properties` as sent by the desktop/web client (field set inferred). */
export interface UserIdentifyProperties {
  os: string;
  browser: string;
  device: string;
  system_locale?: string;
  browser_user_agent?: string;
  browser_version?: string;
  os_version?: string;
  referrer?: string;
  referring_domain?: string;
  release_channel?: string;
  client_build_number?: number;
  client_event_source?: string | null;
}

/** IDENTIFY `d` for a user account: no intents, capabilities bitfield instead. */
export interface UserGatewayIdentifyData {
  token: string;
  capabilities: number;
  properties: UserIdentifyProperties;
  presence?: GatewayPresenceUpdateData;
  compress: false;
  client_state?: Record<string, unknown>;
}

/** Capabilities bitfield the web client sends (inferred; the value only toggles payload shapes). */
export const USER_GATEWAY_CAPABILITIES = 16381;

/** READY as a user session needs it. Real user READY carries far more; these are the fields used. */
export interface UserReadyDispatchData {
  v: number;
  user: APIUser;
  guilds: APIUnavailableGuild[];
  session_id: string;
  resume_gateway_url: string;
  session_type: 'normal';
}

export interface InteractionCreateUserData {
  id: Snowflake;
  nonce: string;
}
export interface InteractionSuccessData {
  id: Snowflake;
  nonce: string;
}
export interface InteractionFailureData {
  id: Snowflake;
  nonce: string;
  reason_code: number;
}

/** User-only dispatch names (absent from GatewayDispatchEvents). */
export const UserDispatchEvents = {
  InteractionCreate: 'INTERACTION_CREATE',
  InteractionSuccess: 'INTERACTION_SUCCESS',
  InteractionFailure: 'INTERACTION_FAILURE',
} as const;

/** A dispatch frame on the wire. */
export interface GatewayDispatchFrame<T extends string = string, D = unknown> {
  op: GatewayOpcodes.Dispatch;
  t: T;
  s: number;
  d: D;
}
