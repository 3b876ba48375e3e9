/**
 * The Discord wire as the driver understands it (docs/discord-protocol.md has the sources). What
 * `discord-api-types` models is re-exported, not redefined; the user-only shapes it lacks are typed
 * here. Guesses no public source confirms live in INFERRED, one row each, so a wrong guess is a
 * one-line fix. The simulator does not read this module: it has its own wire and bot script, and
 * the end-to-end tests show whether the two agree.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  GatewayCloseCodes,
  GatewayOpcodes,
  InteractionType,
  RESTJSONErrorCodes,
} from 'discord-api-types/v10';
import type { APIApplicationCommand, GatewayPresenceUpdateData, Snowflake } from 'discord-api-types/v10';

export { ApplicationCommandOptionType, ApplicationCommandType, GatewayCloseCodes, GatewayOpcodes, InteractionType };
export type { APIApplicationCommand, Snowflake };

/**
 * Every inferred wire fact the driver relies on. The bot's reply wordings are inferred too; they
 * are in bot-replies.ts, the classifier's table.
 */
export const INFERRED = {
  /**
   * /picsi option names, used only when the command index does not say otherwise: the names are
   * read from the index entry at run time (interaction.ts).
   */
  picsiOptionNames: { source: 'source_image', target: 'target_image_gif_or_video', options: 'options' },
  /**
   * The identity commands' option names, the same fallback rule: /saveid and /swapid's are from
   * public automation code, /delid's `idname` is a guess (command-specs.ts).
   */
  identityOptionNames: { idname: 'idname', image: 'image' },
  /** IDENTIFY `capabilities` of the web client; the value only toggles payload shapes. */
  userGatewayCapabilities: 16381,
  /**
   * How long after its upload an attachment slot is still used by a command (staged uploads,
   * src/discord/staged-uploads.ts). Discord does not say how long it keeps an uploaded, not yet
   * referenced file: well below any lifetime seen in clients (uploads are referenced within seconds
   * to minutes); an older staged upload is uploaded again.
   */
  stagedUploadMaxAgeMs: 5 * 60_000,
} as const;

// --- InsightFaceSwap ------------------------------------------------------------------------

/** InsightFaceSwap's application id, which is also its bot user's id (verified). */
export const INSIGHTFACESWAP_APPLICATION_ID = '1090660574196674713';
export const PICSI_COMMAND_NAME = 'picsi';
/** Fallback option names of /picsi (inferred, see INFERRED). */
export const PICSI_OPTION_NAMES = INFERRED.picsiOptionNames;
/** Discord's global REST limit per account (verified): the default of DISCORD_GLOBAL_RATE_LIMIT. */
export const GLOBAL_REQUESTS_PER_SECOND = 50;

// --- REST errors ----------------------------------------------------------------------------

export const INVALID_FORM_BODY_CODE = RESTJSONErrorCodes.InvalidFormBodyOrContentType; // 50035
/** `errors.data._errors[].code` when the command's id/version is stale (verified). */
export const INVALID_COMMAND_VERSION_ERROR = 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION';

// --- Interactions ---------------------------------------------------------------------------

/** A command option as sent in the /interactions body: attachments by index, texts as strings. */
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

// --- Gateway (user session) -----------------------------------------------------------------

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

/** Capabilities bitfield the web client sends (inferred, see INFERRED). */
export const USER_GATEWAY_CAPABILITIES = INFERRED.userGatewayCapabilities;

/** User-only dispatch names (absent from GatewayDispatchEvents). */
export const UserDispatchEvents = {
  InteractionCreate: 'INTERACTION_CREATE',
  InteractionSuccess: 'INTERACTION_SUCCESS',
  InteractionFailure: 'INTERACTION_FAILURE',
} as const;
