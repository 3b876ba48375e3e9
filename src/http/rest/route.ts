/**
 * What a REST route is: the data the router matches and authorizes by, that the body reader reads
 * by, and that the OpenAPI document (openapi.ts) is generated from, plus its handler. One
 * definition per route, so the document cannot drift from what is served.
 */
import type { Viewer } from '../../auth/viewer.js';
import type { StagedFile } from '../../jobs/staged-file.js';
import type { JsonSchema } from './schemas.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Who may call a route: any valid token (or anyone in open mode), or admin tokens only. */
export type Access = 'user' | 'admin';

/** A text field of a request: in the query string, or in the body (multipart, JSON or form-encoded). */
export interface FieldSpec {
  name: string;
  description: string;
  required?: boolean;
  enum?: readonly string[];
  example?: string;
}

/** A file field of a multipart body. */
export interface FileSpec {
  name: string;
  description: string;
}

export interface ResponseSpec {
  description: string;
  /** The body's schema; none for an empty answer (204). */
  schema?: JsonSchema;
  /** Response headers worth documenting (Retry-After, Link). */
  headers?: Readonly<Record<string, string>>;
}

export interface RestRequest {
  viewer: Viewer;
  /** Path parameters by name (`{channel}` → params.channel). */
  params: Readonly<Record<string, string>>;
  /** A text field from the body, else from the query string; undefined when absent. */
  field(name: string): string | undefined;
  /** Text fields of the body by name (what the client sent in file fields too, to be refused as such). */
  bodyFields: ReadonlyMap<string, string>;
  /** The route's files, already in the blob store: the handler owns them (submits or discards them). */
  files: ReadonlyMap<string, StagedFile>;
  /** This server's public origin, for the download links it serves itself. */
  origin: string;
  /** Aborts when the client goes away (a blocking call then stops waiting; its job goes on). */
  signal: AbortSignal;
}

export interface RestReply {
  status: number;
  /** JSON body; undefined for an empty answer. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteSpec {
  method: HttpMethod;
  /** As documented, with `{param}` placeholders; a trailing slash is optional when matching. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  access: Access;
  query?: readonly FieldSpec[];
  body?: { fields: readonly FieldSpec[]; files?: readonly FileSpec[] };
  /** Every documented answer by status (errors included). */
  responses: Readonly<Record<number, ResponseSpec>>;
  handle(request: RestRequest): Promise<RestReply>;
}
