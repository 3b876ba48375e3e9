/**
 * Error masking: clients see typed errors (`extensions.code`) and never a stack trace or an
 * internal message. AppError and GraphQL's own validation errors pass through; anything else
 * becomes INTERNAL_SERVER_ERROR. Yoga logs what it masks through error-log.ts's policy.
 */
import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { AppError, ERROR_CODES, type ErrorCode, type ErrorCodeInfo } from '../errors.js';
import { BlobStoreUnavailableError } from '../storage/blob-store.js';

/** Seconds a client should wait before retrying when the blob store is down or full. */
const BLOB_STORE_RETRY_AFTER_SECONDS = 5;

/** Failures of a dependency that are typed errors for the client, not internal ones. */
function asAppError(error: unknown): AppError | null {
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

export function toGraphQLError(error: AppError, http?: { status: number; headers?: Record<string, string> }): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...error.extensions, ...(http ? { http } : {}) },
  });
}

/**
 * The HTTP side of an AppError raised anywhere (context or resolver): the codes ERROR_CODES marks
 * `refusesRequest` keep their status (and Retry-After where the client should wait, WWW-Authenticate
 * for a missing token); other field errors stay 200 as GraphQL over HTTP wants.
 */
export function httpStatusOf(error: AppError): { status: number; headers?: Record<string, string> } | undefined {
  const info: ErrorCodeInfo = ERROR_CODES[error.code];
  if (!info.refusesRequest || info.httpStatus === null) return undefined;
  if (error.code === 'UNAUTHENTICATED') return { status: info.httpStatus, headers: { 'WWW-Authenticate': 'Bearer' } };
  const retryAfter = error.extensions['retryAfter'];
  return typeof retryAfter === 'number'
    ? { status: info.httpStatus, headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfter))) } }
    : { status: info.httpStatus };
}

/**
 * Variable coercion errors (graphql-js and graphql-upload-ts) carry no code or another library's;
 * upload ones get the hosted API's wording, all get BAD_USER_INPUT.
 */
const UPLOAD_VARIABLE_ERRORS: readonly { matches: RegExp; message: string }[] = [
  { matches: /"Upload!" not to be null/, message: 'Required param source_image or target_image_gif_or_video is missing or empty' },
  { matches: /Upload value invalid/, message: 'Param source_image or target_image_gif_or_video is not File or Blob' },
];

function withInputCode(error: GraphQLError): GraphQLError {
  const upload = UPLOAD_VARIABLE_ERRORS.find((e) => e.matches.test(error.message));
  // Keep the other extensions (Yoga's http status: 400 like every variable coercion error).
  if (upload)
    return new GraphQLError(upload.message, { extensions: { ...error.extensions, code: 'BAD_USER_INPUT', detail: error.message } });
  if (error.extensions['code'] === undefined && error.path === undefined) {
    return new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code: 'BAD_USER_INPUT' } });
  }
  return error;
}

/** Gives request-level errors that have no code (variable coercion, upload scalar) BAD_USER_INPUT. */
export const useInputErrorCodes = (): Plugin => ({
  onExecute: () => ({
    onExecuteDone: ({ result, setResult }) => {
      if (isAsyncIterable(result) || !result.errors?.length || result.data !== undefined) return;
      // envelop types a result's errors loosely; graphql-js puts GraphQLErrors there.
      setResult({ ...result, errors: (result.errors as readonly GraphQLError[]).map((e) => withInputCode(e)) });
    },
  }),
});

export function createMaskError() {
  return (error: unknown, message: string): Error => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    const typed = asAppError(original);
    if (typed) {
      const path = error instanceof GraphQLError ? error.path : undefined;
      const gqlError = toGraphQLError(typed, httpStatusOf(typed));
      return path ? new GraphQLError(gqlError.message, { path, extensions: gqlError.extensions }) : gqlError;
    }
    if (error instanceof GraphQLError && !error.originalError) return withInputCode(error); // syntax, validation, variables
    // A variable coercion error wraps the scalar's own error; keep the outer message, which names the
    // variable (graphql-ws reaches here without useInputErrorCodes, which only sees execute()).
    if (
      error instanceof GraphQLError &&
      error.originalError instanceof GraphQLError &&
      error.path === undefined &&
      error.message.startsWith('Variable "$')
    )
      return withInputCode(error);
    if (error instanceof GraphQLError && error.originalError instanceof GraphQLError) return error.originalError;
    return new GraphQLError(message, {
      ...(error instanceof GraphQLError && error.path ? { path: error.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode },
    });
  };
}
