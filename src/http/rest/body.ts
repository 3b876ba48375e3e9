/**
 * A REST request's body, as the hosted API's clients send it: multipart/form-data (curl -F, fetch
 * with FormData, Python requests with files=), JSON, or form-encoded. Text fields are kept; the
 * files of the route's file fields are streamed into the blob store through the upload spooler
 * while the body is read (its type, size and pixel checks apply on the way), other file parts are
 * read and dropped. On any failure every file already stored is deleted before the error is thrown.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import busboy, { type FileInfo } from 'busboy';
import { AppError } from '../../errors.js';
import type { StagedFile, UploadSpooler } from '../../jobs/staged-file.js';

export interface BodyLimits {
  maxFileBytes: number;
  maxFieldBytes: number;
  maxFiles: number;
}

export interface RequestBody {
  fields: ReadonlyMap<string, string>;
  files: ReadonlyMap<string, StagedFile>;
}

export interface BodyOptions {
  /** The file fields the route takes; file parts under other names are dropped. */
  fileFields: readonly string[];
  spooler: UploadSpooler;
  limits: BodyLimits;
}

/** Text fields and parts beyond these are refused as too large (the hosted API's forms have a handful). */
const MAX_TEXT_FIELDS = 32;
const MAX_PARTS = 48;

const EMPTY: RequestBody = { fields: new Map(), files: new Map() };

const tooLarge = (message: string) => new AppError('REQUEST_ENTITY_TOO_LARGE', message);

export async function readBody(req: IncomingMessage, options: BodyOptions): Promise<RequestBody> {
  if (!hasBody(req)) return EMPTY;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') return readMultipart(req, options);
  if (type === 'application/json') return { fields: jsonFields(await readText(req, options.limits.maxFieldBytes)), files: new Map() };
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    return { fields: new Map(new URLSearchParams(await readText(req, options.limits.maxFieldBytes))), files: new Map() };
  }
  throw new AppError(
    'BAD_USER_INPUT',
    `Unsupported content type ${type}: send multipart/form-data, application/json or application/x-www-form-urlencoded`,
  );
}

const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

async function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(`The request body is over UPLOAD_MAX_FIELD_BYTES (${maxBytes} bytes)`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON object's values as text fields: strings as they are, numbers and booleans as text, null as absent. */
function jsonFields(text: string): Map<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('BAD_USER_INPUT', 'The request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AppError('BAD_USER_INPUT', 'The JSON body must be an object');
  const fields = new Map<string, string>();
  for (const [name, v] of Object.entries(value)) {
    if (v === null) continue;
    if (typeof v === 'object') throw new AppError('BAD_USER_INPUT', `Param ${name} must be text`, { field: name });
    fields.set(name, String(v as string | number | boolean));
  }
  return fields;
}

async function readMultipart(req: IncomingMessage, { fileFields, spooler, limits }: BodyOptions): Promise<RequestBody> {
  const parser = createParser(req, limits);
  const fields = new Map<string, string>();
  const spools = new Map<string, Promise<StagedFile>>();
  let failure: Error | null = null;
  const fail = (error: unknown) => {
    failure ??= error instanceof Error ? error : new Error(String(error));
  };

  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) fail(tooLarge(`Param ${name} is over UPLOAD_MAX_FIELD_BYTES (${limits.maxFieldBytes} bytes)`));
    else if (!fields.has(name)) fields.set(name, value);
  });
  parser.on('file', (name, part, info) => {
    // A part the parser gives up on (an interrupted body) errors: every part has a listener.
    part.on('error', () => undefined);
    if (failure !== null || !fileFields.includes(name) || spools.has(name)) {
      part.resume();
      return;
    }
    const spooling = spooler.spool(uploadOf(part, info, name), name);
    spooling.catch(fail);
    spools.set(name, spooling);
  });
  parser.on('filesLimit', () => fail(tooLarge(`More than UPLOAD_MAX_FILES (${limits.maxFiles}) files`)));
  parser.on('fieldsLimit', () => fail(tooLarge(`More than ${MAX_TEXT_FIELDS} text fields`)));
  parser.on('partsLimit', () => fail(tooLarge(`More than ${MAX_PARTS} parts`)));
  parser.on('error', (error: Error) => fail(new AppError('BAD_USER_INPUT', `Malformed multipart request: ${error.message}`)));
  // A client that goes away mid-body: stop, so the spools end (and are deleted) instead of waiting.
  const onAborted = () => {
    if (!req.readableEnded) parser.destroy(new Error('the request was interrupted'));
  };
  req.once('close', onAborted);
  try {
    await new Promise<void>((resolve) => {
      parser.once('close', resolve);
      req.pipe(parser);
    });
  } finally {
    req.off('close', onAborted);
  }
  return { fields, files: await settle(spools, failure, spooler) };
}

function createParser(req: IncomingMessage, limits: BodyLimits): busboy.Busboy {
  try {
    return busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      // One byte over the limit, so the blob store sees an oversize file and refuses it (busboy would cut it silently).
      limits: {
        fileSize: limits.maxFileBytes + 1,
        files: limits.maxFiles,
        fieldSize: limits.maxFieldBytes,
        fields: MAX_TEXT_FIELDS,
        parts: MAX_PARTS,
      },
    });
  } catch (error) {
    throw new AppError('BAD_USER_INPUT', `Malformed multipart request: ${(error as Error).message}`);
  }
}

/** Waits for every spool; on any failure deletes the stored ones and throws the first failure. */
async function settle(
  spools: Map<string, Promise<StagedFile>>,
  failure: Error | null,
  spooler: UploadSpooler,
): Promise<Map<string, StagedFile>> {
  const names = [...spools.keys()];
  const results = await Promise.allSettled(spools.values());
  const stored = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const error = failure ?? (rejected ? (rejected.reason as Error) : null);
  if (error === null) return new Map(names.map((name, i) => [name, stored[i]!]));
  await spooler.discard(...stored).catch(() => undefined);
  throw error;
}

/** A file part as the spooler takes an upload (graphql-upload-ts's FileUpload shape). */
function uploadOf(part: Readable, info: FileInfo, fieldName: string) {
  return {
    fieldName,
    filename: info.filename,
    mimetype: info.mimeType,
    encoding: info.encoding,
    createReadStream: () => detachable(part),
  };
}

/**
 * The part as a stream the spooler may stop reading early (a refused image): the rest of the part is
 * then read and dropped, so the parser goes on to the end of the body and the answer can be sent.
 */
function detachable(part: Readable): Readable {
  const source = new PassThrough();
  part.once('error', (error) => source.destroy(error));
  part.pipe(source);
  source.once('close', () => {
    if (part.readableEnded) return;
    part.unpipe(source);
    part.resume();
  });
  return source;
}
