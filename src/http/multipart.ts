/**
 * GraphQL multipart requests (uploads): graphql-upload-ts streams files to temp files that it
 * deletes when the response ends. The CSRF preflight header was checked at the edge (./edge/csrf.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GRAPHQL_MULTIPART_REQUEST_SPEC_URL, processRequest, Upload, type GraphQLOperation } from 'graphql-upload-ts';
import type { Config } from '../config.js';
import { ERROR_CODES, type ErrorCode } from '../errors.js';

export type MultipartOperations = GraphQLOperation | GraphQLOperation[];

export const isMultipart = (req: IncomingMessage) => (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');

/** The largest body an upload request may have: every file at its limit plus the two JSON fields and slack for part headers. */
export const maxRequestBytes = (limits: Config['uploads']) =>
  limits.maxFiles * limits.maxFileBytes + 2 * limits.maxFieldBytes + 1024 * 1024;

export type MultipartResult =
  { ok: true; operations: MultipartOperations } | { ok: false; status: number; code: ErrorCode; message: string };

export async function parseMultipart(req: IncomingMessage, res: ServerResponse, limits: Config['uploads']): Promise<MultipartResult> {
  try {
    const operations = await processRequest<MultipartOperations>(req, res, {
      maxFileSize: limits.maxFileBytes,
      maxFieldSize: limits.maxFieldBytes,
      maxFiles: limits.maxFiles,
    });
    const uploads = findUploads(operations);
    for (const upload of uploads) {
      // One file may be mapped to several paths: label it once.
      if (!Object.hasOwn(upload, 'toJSON')) Object.defineProperty(upload, 'toJSON', { value: () => '<Upload>' });
    }
    releaseLateFiles(uploads, res);
    return { ok: true, operations };
  } catch (error) {
    return { ok: false, ...describeParseError(error) };
  }
}

/**
 * graphql-upload-ts's errors, kept verbatim where they are clear. Its "Disordered multipart fields;
 * files should follow ‘map’" is what a request without a map gets once a file part arrives, so it
 * says the map is missing; every over-a-limit refusal (413) is REQUEST_ENTITY_TOO_LARGE.
 */
function describeParseError(error: unknown): { status: number; code: ErrorCode; message: string } {
  const tooLarge = (error as { status?: unknown }).status === 413;
  let message = error instanceof Error ? error.message : 'Malformed multipart request';
  if (message.startsWith('Disordered multipart fields; files should follow ‘map’')) {
    message = `Missing multipart field ‘map’ before the first file: send ‘operations’, then ‘map’, then the files (${GRAPHQL_MULTIPART_REQUEST_SPEC_URL}).`;
  }
  const code = tooLarge ? 'REQUEST_ENTITY_TOO_LARGE' : 'BAD_USER_INPUT';
  return { status: ERROR_CODES[code].httpStatus, code, message: `Malformed multipart request: ${message}` };
}

/**
 * Every Upload in the operations. Labelled as <Upload>: graphql-js prints a variable's value in
 * coercion errors ("got invalid value { … }") and an Upload showed its internals (promise callbacks,
 * temp-file stream).
 */
function findUploads(value: unknown, found: Upload[] = [], depth = 0): Upload[] {
  if (value === null || typeof value !== 'object' || depth > 32) return found;
  if (value instanceof Upload) found.push(value);
  else for (const child of Object.values(value)) findUploads(child, found, depth + 1);
  return found;
}

/**
 * graphql-upload-ts deletes a request's temp files when the response closes, but only those whose
 * part had arrived by then: a response sent early (401, 400, 413 while the body still streams) left
 * the temp file of every later file part behind. Those are released as they arrive.
 */
function releaseLateFiles(uploads: Upload[], res: ServerResponse) {
  for (const upload of uploads) {
    upload.promise.then(
      (file) => {
        if (res.closed) (file as { capacitor?: { release(): void } }).capacitor?.release();
      },
      () => {},
    );
  }
}
