import { RESTJSONErrorCodes } from 'discord-api-types/v10';
import type { RESTError, RESTErrorFieldInformation, RESTRateLimit } from 'discord-api-types/v10';
import { RATE_LIMITED_MESSAGE } from '../wire.js';

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON when set. */
  json?: unknown;
  body?: Buffer;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): HttpResponse => ({
  status,
  json: body,
  ...(headers ? { headers } : {}),
});

export const noContent = (): HttpResponse => ({ status: 204 });

const error = (status: number, body: RESTError): HttpResponse => json(status, body);

export const unauthorized = (): HttpResponse => error(401, { message: '401: Unauthorized', code: RESTJSONErrorCodes.GeneralError });
export const notFound = (): HttpResponse => error(404, { message: '404: Not Found', code: RESTJSONErrorCodes.GeneralError });
export const methodNotAllowed = (): HttpResponse =>
  error(405, { message: '405: Method Not Allowed', code: RESTJSONErrorCodes.GeneralError });
export const unknownGuild = (): HttpResponse => error(404, { message: 'Unknown Guild', code: RESTJSONErrorCodes.UnknownGuild });
export const unknownChannel = (): HttpResponse => error(404, { message: 'Unknown Channel', code: RESTJSONErrorCodes.UnknownChannel });
export const unknownMessage = (): HttpResponse => error(404, { message: 'Unknown Message', code: RESTJSONErrorCodes.UnknownMessage });
export const unknownApplication = (): HttpResponse =>
  error(404, { message: 'Unknown Application', code: RESTJSONErrorCodes.UnknownApplication });
export const unknownCommand = (): HttpResponse =>
  error(404, { message: 'Unknown application command', code: RESTJSONErrorCodes.UnknownApplicationCommand });
export const missingAccess = (): HttpResponse => error(403, { message: 'Missing Access', code: RESTJSONErrorCodes.MissingAccess });
export const botsCannotUse = (): HttpResponse =>
  error(403, { message: 'Bots cannot use this endpoint', code: RESTJSONErrorCodes.BotsCannotUseThisEndpoint });
export const invalidJson = (): HttpResponse =>
  error(400, { message: 'The request body contains invalid JSON.', code: RESTJSONErrorCodes.RequestBodyContainsInvalidJSON });
export const tooLarge = (): HttpResponse =>
  error(413, { message: 'Request entity too large', code: RESTJSONErrorCodes.RequestEntityTooLarge });

/**
 * Discord's `errors` tree: `{field: {0: {sub: {_errors: [{code, message}]}}}}`. discord-api-types'
 * RESTErrorData cannot express a node with both `_errors` and children, so it is typed here.
 */
export interface FormErrors {
  _errors?: RESTErrorFieldInformation[];
  [field: string]: FormErrors | RESTErrorFieldInformation[] | undefined;
}

/** 400 50035 with Discord's nested `errors` object. */
export function invalidFormBody(errors: FormErrors): HttpResponse {
  const head: RESTError = { message: 'Invalid Form Body', code: RESTJSONErrorCodes.InvalidFormBodyOrContentType };
  return json(400, { ...head, errors });
}

/** The errors tree for one field at `path`. */
export function fieldErrors(path: readonly (string | number)[], code: string, message: string): FormErrors {
  let node: FormErrors = { _errors: [{ code, message }] };
  for (const key of [...path].reverse()) node = { [String(key)]: node };
  return node;
}

export const fieldError = (path: readonly (string | number)[], code: string, message: string): HttpResponse =>
  invalidFormBody(fieldErrors(path, code, message));

/** Discord's 429: body in seconds (float), Retry-After header in whole seconds (rounded up). */
export function rateLimited(retryAfterSeconds: number, nowMs: number): HttpResponse {
  const body: RESTRateLimit = { message: RATE_LIMITED_MESSAGE, retry_after: retryAfterSeconds, global: false };
  return json(429, body, {
    'retry-after': String(Math.ceil(retryAfterSeconds)),
    'x-ratelimit-scope': 'user',
    'x-ratelimit-bucket': 'simulated-interactions',
    'x-ratelimit-limit': '1',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': String(nowMs / 1000 + retryAfterSeconds),
    'x-ratelimit-reset-after': String(retryAfterSeconds),
  });
}
