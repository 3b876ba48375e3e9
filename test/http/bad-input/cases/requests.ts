/** The audits requests.test.ts runs against one server with auth on. */
import type { Audit } from '../audit.js';
import { AUTH_AUDITS } from './auth.js';
import { EDGE_AUDITS } from './edge.js';
import { JSON_AUDITS } from './json.js';
import { MULTIPART_AUDITS } from './multipart.js';
import { PICSI_AUDITS } from './picsi.js';
import { UPLOAD_AUDITS } from './uploads.js';
import { WEBSOCKET_AUDITS } from './websocket.js';

export const REQUEST_AUDITS: Audit[] = [
  ...MULTIPART_AUDITS,
  ...JSON_AUDITS,
  ...PICSI_AUDITS,
  ...AUTH_AUDITS,
  ...WEBSOCKET_AUDITS,
  ...EDGE_AUDITS,
  ...UPLOAD_AUDITS,
];
