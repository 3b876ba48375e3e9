/**
 * A refused REST request as the hosted API answers it: `{ "error": "…", "code": N }` with N the HTTP
 * status, from the one table of our codes in the hosted API's terms (src/jobs/hosted-codes.ts); then
 * ours: `errorCode`, our own wording in `detail` where `error` holds the hosted text, the field at
 * fault, and Retry-After where the client should wait. Faults of the server are a bare 500.
 */
import { AppError, type ErrorCode } from '../../errors.js';
import { HOSTED_CODES, hostedText } from '../../jobs/hosted-codes.js';
import { BlobStoreUnavailableError } from '../../storage/blob-store.js';
import type { RestReply } from './route.js';

/** Seconds a client should wait before retrying when the blob store is down or full (as over GraphQL). */
const BLOB_STORE_RETRY_AFTER_SECONDS = 5;

export interface RestErrorBody {
  error: string;
  code: number;
  errorCode?: ErrorCode;
  detail?: string;
  field?: string;
  retryAfter?: number;
}

/** The typed error a failure is, or null for a fault of the server. */
export function appErrorOf(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof BlobStoreUnavailableError) {
    return new AppError(
      'SERVICE_UNAVAILABLE',
      'The file store is unavailable or full; retry shortly',
      { retryAfter: BLOB_STORE_RETRY_AFTER_SECONDS },
      { cause: error },
    );
  }
  return null;
}

export function errorReply(error: AppError): RestReply & { body: RestErrorBody } {
  const { status } = HOSTED_CODES[error.code];
  const text = hostedText(error.code, error.message, error.extensions);
  const field = error.extensions['field'];
  const retryAfter = error.extensions['retryAfter'];
  const seconds = typeof retryAfter === 'number' ? Math.max(1, Math.ceil(retryAfter)) : undefined;
  const body: RestErrorBody = {
    error: text,
    code: status,
    errorCode: error.code,
    ...(text !== error.message ? { detail: error.message } : {}),
    ...(typeof field === 'string' ? { field } : {}),
    ...(seconds !== undefined ? { retryAfter: seconds } : {}),
  };
  const headers: Record<string, string> = {
    ...(error.code === 'UNAUTHENTICATED' ? { 'www-authenticate': 'Bearer' } : {}),
    ...(seconds !== undefined ? { 'retry-after': String(seconds) } : {}),
  };
  return { status, body, headers };
}

export const INTERNAL_ERROR_REPLY = {
  status: HOSTED_CODES.INTERNAL_SERVER_ERROR.status,
  body: { error: 'Unexpected error', code: HOSTED_CODES.INTERNAL_SERVER_ERROR.status, errorCode: 'INTERNAL_SERVER_ERROR' },
} as const satisfies RestReply & { body: RestErrorBody };

/** A plain answer of the router itself (unknown path, method not allowed): not one of our codes. */
export const routingReply = (status: number, error: string, headers: Record<string, string> = {}): RestReply => ({
  status,
  body: { error, code: status } satisfies RestErrorBody,
  headers,
});
