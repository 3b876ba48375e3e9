/**
 * POST /graphql as a multipart request (uploads): refused from its headers when it carries no
 * valid token (nothing of it is stored: the body is drained and discarded), else parsed by
 * graphql-upload-ts (files streamed to disk) and handed on to Yoga as the parsed operations.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { ERROR_CODES } from '../../errors.js';
import { isMultipart, parseMultipart, type MultipartOperations } from '../multipart.js';
import { refuse, type DrainLimits } from '../refusal.js';
import { answered, nodeRequestOf, type EdgePlugin } from './context.js';

export function useUploads(config: Config, limits: DrainLimits, logger: Logger): EdgePlugin {
  return {
    async onRequest(payload) {
      const { req, res, authentication } = nodeRequestOf(payload.serverContext);
      if (req.method !== 'POST' || !isMultipart(req)) return;
      if (!authentication.ok) {
        const { code, message, extensions } = authentication.error;
        const unauthorized = {
          status: ERROR_CODES.UNAUTHENTICATED.httpStatus,
          code,
          message,
          headers: { 'www-authenticate': 'Bearer' },
          extensions,
        };
        await refuse(req, res, unauthorized, limits, logger);
        return payload.endResponse(answered());
      }
      const parsed = await parseMultipart(req, res, config.uploads);
      if (!parsed.ok) {
        await refuse(req, res, parsed, limits, logger);
        return payload.endResponse(answered());
      }
      payload.setRequest(withParsedBody(payload.request, parsed.operations, payload.fetchAPI));
    },
  };
}

/**
 * The request as Yoga's JSON parser reads it: its body is the parsed operations (their Upload
 * values still streaming to disk). Wrapping the raw stream instead would buffer every file.
 */
function withParsedBody(
  request: Request,
  operations: MultipartOperations,
  fetchAPI: { Request: typeof Request; Headers: typeof Headers },
): Request {
  const headers = new fetchAPI.Headers(request.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  const parsed = new fetchAPI.Request(request.url, { method: request.method, headers, signal: request.signal });
  return new Proxy(parsed, {
    get(target, property) {
      if (property === 'json') return () => Promise.resolve(operations);
      if (property === 'text') return () => Promise.resolve(JSON.stringify(operations));
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
