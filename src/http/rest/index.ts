/**
 * The hosted InsightFaceSwap REST API's contract under /v1/ (paths, fields and error texts of the
 * service this project replaces), served beside GraphQL from the same job service. Every request
 * whose path is /v1 or under it reaches this handler (../server.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Authenticator } from '../auth.js';
import { sendJson } from '../respond.js';
import type { UploadSpooler } from '../../jobs/staged-file.js';
import type { JobService } from '../../jobs/service.js';

export interface RestDeps {
  jobs: JobService;
  spooler: UploadSpooler;
  authenticator: Authenticator;
  config: Config;
  logger: Logger;
  checkReplyUrl: (url: string) => Promise<void>;
}

export type RestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export const REST_PATH_PREFIX = '/v1';

export function isRestPath(path: string): boolean {
  return path === REST_PATH_PREFIX || path.startsWith(`${REST_PATH_PREFIX}/`);
}

export function createRestHandler(_deps: RestDeps): RestHandler {
  return async (req, res) => sendJson(req, res, 404, { error: 'Not found', code: 404 });
}
