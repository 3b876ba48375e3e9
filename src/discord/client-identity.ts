/**
 * How the driver presents itself to Discord: the web client's identity (inferred from what public
 * user clients send). A user token driven with a bot's User-Agent is an easy flag, so REST and the
 * gateway both present this one identity. Keep every such guess here.
 */
import { PresenceUpdateStatus } from 'discord-api-types/v10';
import { USER_GATEWAY_CAPABILITIES } from './protocol.js';
import type { UserGatewayIdentifyData, UserIdentifyProperties } from './protocol.js';

export const BROWSER_VERSION = '131.0.0.0';
export const BROWSER_USER_AGENT = `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${BROWSER_VERSION} Safari/537.36`;
/** The web client's build number (inferred; changes with every Discord release, harmless if stale). */
export const CLIENT_BUILD_NUMBER = 350_000;

export const IDENTIFY_PROPERTIES: UserIdentifyProperties = {
  os: 'Windows',
  browser: 'Chrome',
  device: '',
  system_locale: 'en-US',
  browser_user_agent: BROWSER_USER_AGENT,
  browser_version: BROWSER_VERSION,
  os_version: '10',
  referrer: '',
  referring_domain: '',
  release_channel: 'stable',
  client_build_number: CLIENT_BUILD_NUMBER,
  client_event_source: null,
};

/** IDENTIFY `d` for a user account: no intents, the web client's capabilities and properties. */
export function identifyPayload(token: string): UserGatewayIdentifyData {
  return {
    token,
    capabilities: USER_GATEWAY_CAPABILITIES,
    properties: IDENTIFY_PROPERTIES,
    // Invisible: the account is a tool, not a person; nobody needs to see it online.
    presence: { status: PresenceUpdateStatus.Invisible, since: 0, activities: [], afk: false },
    compress: false,
    client_state: { guild_versions: {} },
  };
}

/** Headers every REST request carries (besides Authorization): the browser's identity. */
export const REST_IDENTITY_HEADERS: Readonly<Record<string, string>> = {
  'User-Agent': BROWSER_USER_AGENT,
  'X-Super-Properties': Buffer.from(JSON.stringify(IDENTIFY_PROPERTIES)).toString('base64'),
  'X-Discord-Locale': 'en-US',
};
