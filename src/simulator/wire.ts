/**
 * Wire shapes the simulated Discord speaks that `discord-api-types` does not model: the user-only
 * endpoints and dispatches a user client sees (see docs/discord-protocol.md). Everything the
 * package models (opcodes, close codes, flags, REST error codes, message and READY payloads) is
 * imported from it where used, never restated here. The simulator owns these definitions: the
 * driver has its own, and the end-to-end tests show whether the two agree.
 */
import type { GatewayOpcodes, APIApplicationCommand, APIUnavailableGuild, APIUser, Snowflake } from 'discord-api-types/v10';

/** Gateway versions accepted in `?v=`. */
export const SUPPORTED_GATEWAY_VERSIONS: readonly number[] = [9, 10];

/** `GET /guilds/{id}/application-command-index`. */
export interface CommandIndexBody {
  applications: { id: Snowflake; name: string; description: string; icon: string | null; bot_id?: Snowflake }[];
  application_commands: APIApplicationCommand[];
  version: Snowflake;
}

/** `POST /channels/{id}/attachments` answer: where to PUT each file. */
export interface UploadSlotsBody {
  attachments: { id: string; upload_url: string; upload_filename: string }[];
}

/** `POST /attachments/refresh-urls` answer. */
export interface RefreshedUrlsBody {
  refreshed_urls: { original: string; refreshed: string }[];
}

/** READY of a user session: the fields a user client relies on (the real one carries far more). */
export interface UserReadyData {
  v: number;
  user: APIUser;
  guilds: APIUnavailableGuild[];
  session_id: string;
  resume_gateway_url: string;
  session_type: 'normal';
}

/** INTERACTION_CREATE and INTERACTION_SUCCESS of a user session: the client's nonce, echoed. */
export interface InteractionEventData {
  id: Snowflake;
  nonce: string;
}
export interface InteractionFailureEventData extends InteractionEventData {
  reason_code: number;
}

/** `reason_code` of INTERACTION_FAILURE when the application did not acknowledge in time. */
export const FAILURE_REASON_NO_RESPONSE = 2;
/** How long Discord waits for an application to acknowledge an interaction. */
export const INTERACTION_ACK_TIMEOUT_MS = 3000;

/** The 50035 leaf Discord answers a stale command id/version with. */
export const STALE_COMMAND_ERROR = {
  code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION',
  message: 'This command is outdated, please try again in a few minutes',
} as const;

/** `message` of Discord's 429 body. */
export const RATE_LIMITED_MESSAGE = 'The resource is being rate limited.';

/** A dispatch frame as sent. */
export interface DispatchFrame<T extends string = string, D = unknown> {
  op: GatewayOpcodes.Dispatch;
  t: T;
  s: number;
  d: D;
}
