/**
 * The REST API's reference page at /v1/docs: Swagger UI from this server's own swagger-ui-dist
 * dependency (no CDN, works offline) rendering /v1/openapi.json. Files are read on the first visit
 * and kept; only the names listed here are served.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PageAsset } from '../../web/assets.js';

export const REFERENCE_PATH = '/v1/docs';

const HERE = join(import.meta.dirname, 'reference');
const TYPES = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' } as const;

const swaggerUiDir = () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist'));

/** Path → where the file is and its type. */
const FILES = new Map<string, { dir: () => string; file: string; type: keyof typeof TYPES }>([
  [REFERENCE_PATH, { dir: () => HERE, file: 'index.html', type: 'html' }],
  [`${REFERENCE_PATH}/`, { dir: () => HERE, file: 'index.html', type: 'html' }],
  [`${REFERENCE_PATH}/reference.js`, { dir: () => HERE, file: 'reference.js', type: 'js' }],
  [`${REFERENCE_PATH}/swagger-ui.css`, { dir: swaggerUiDir, file: 'swagger-ui.css', type: 'css' }],
  [`${REFERENCE_PATH}/swagger-ui-bundle.js`, { dir: swaggerUiDir, file: 'swagger-ui-bundle.js', type: 'js' }],
]);

export interface ReferencePage {
  /** The file served at `path`; undefined when `path` is not one. */
  find(path: string): PageAsset | undefined;
}

export function createReferencePage(): ReferencePage {
  const loaded = new Map<string, PageAsset>();
  return {
    find(path) {
      const entry = FILES.get(path);
      if (!entry) return undefined;
      let asset = loaded.get(entry.file);
      if (!asset) {
        asset = { body: readFileSync(join(entry.dir(), entry.file)), contentType: TYPES[entry.type] };
        loaded.set(entry.file, asset);
      }
      return asset;
    },
  };
}
