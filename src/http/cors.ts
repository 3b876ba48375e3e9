/**
 * One CORS policy for every response: Yoga applies it to the responses it produces, and the
 * answers the Node server sends itself (early multipart refusals, 500s, the web page's assets)
 * compute the same headers from the same options, so a browser can read every refusal.
 */
import type { IncomingMessage } from 'node:http';
import { getCORSHeadersByRequestAndOptions, type CORSOptions } from '@whatwg-node/server';

/** Yoga's default (any origin, credentials allowed), stated once so both paths share it. */
export const CORS_OPTIONS: CORSOptions = {};

export function corsHeadersOf(req: IncomingMessage): Record<string, string> {
  const headers = new Headers();
  for (const name of ['origin', 'access-control-request-method', 'access-control-request-headers']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  // Only the headers are read; the URL is a placeholder.
  return getCORSHeadersByRequestAndOptions(new Request('http://cors.invalid/', { headers }), CORS_OPTIONS) ?? {};
}
