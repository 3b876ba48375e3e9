/**
 * Scripted account faults: what Discord answers an account that needs a person (docs/discord-protocol.md,
 * "Account health"), set per user token until cleared. A captcha or a verification demand refuses
 * the account's writes (every REST call but GET; Discord asks for them on actions, the account can
 * still read); lost access refuses whatever names a channel or a guild; a gateway outage closes the
 * account's every IDENTIFY with 4000 (it may try again, and never gets a session). A revoked token is not here:
 * the token is simply unknown (AccountRegistry.revoke), so REST answers 401 and the gateway 4004.
 */
import { RESTJSONErrorCodes } from 'discord-api-types/v10';
import { json, type HttpResponse } from '../http/responses.js';

export type AccountFault = 'captcha' | 'verificationRequired' | 'accessLost' | 'gatewayDown';

/** The captcha answer self-bot libraries report (inferred: the web client's captcha flow). */
export const CAPTCHA_BODY = {
  captcha_key: ['captcha-required'],
  captcha_sitekey: 'a9b5fb07-92ff-493f-86fe-352a2803b3df',
  captcha_service: 'hcaptcha',
  captcha_rqdata: 'simulated-rqdata',
  captcha_rqtoken: 'simulated-rqtoken',
};

const ANSWERS: Record<AccountFault, { applies(method: string, path: string): boolean; response(): HttpResponse }> = {
  captcha: { applies: (method) => method !== 'GET', response: () => json(400, CAPTCHA_BODY) },
  verificationRequired: {
    applies: (method) => method !== 'GET',
    response: () =>
      json(403, {
        message: 'You need to verify your account in order to perform this action.',
        code: RESTJSONErrorCodes.VerifyYourAccount,
      }),
  },
  accessLost: {
    applies: (_method, path) => /^\/(channels|guilds|interactions)\b/.test(path),
    response: () => json(403, { message: 'Missing Access', code: RESTJSONErrorCodes.MissingAccess }),
  },
  gatewayDown: { applies: () => false, response: () => json(500, { message: '500: Internal Server Error', code: 0 }) },
};

export class AccountFaults {
  private readonly faults = new Map<string, AccountFault>();

  set(token: string, fault: AccountFault | null): void {
    if (fault === null) this.faults.delete(token);
    else this.faults.set(token, fault);
  }

  /** Whether the gateway refuses this token's sessions (closed with 4000 at IDENTIFY). */
  gatewayDown(token: string): boolean {
    return this.faults.get(token) === 'gatewayDown';
  }

  /** Discord's answer to this request of `token`'s account, when a fault refuses it. */
  answer(token: string | undefined, method: string, path: string): HttpResponse | null {
    const fault = token === undefined ? undefined : this.faults.get(token);
    if (!fault || !ANSWERS[fault].applies(method, path)) return null;
    return ANSWERS[fault].response();
  }
}
