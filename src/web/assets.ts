/**
 * The web page for people at / (index.html, its script modules and style) and the one library it
 * needs, graphql-ws's browser build, straight from node_modules: no CDN, works offline. Files are
 * read once at start; only the names listed here are served.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** One file of the page, ready to send (src/http/server.ts answers GET and HEAD with it). */
export interface PageAsset {
  body: Buffer;
  contentType: string;
}

export interface WebAssets {
  /** The asset served at `path`; undefined when `path` is not one. */
  find(path: string): PageAsset | undefined;
}

export interface PageSettings {
  /** Whether the API needs a token (the page then asks for one). */
  authRequired: boolean;
  maxFileBytes: number;
  maxPixels: number;
}

const HERE = import.meta.dirname;
const TYPES = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' } as const;

const PAGE_FILES: Record<string, { file: string; type: keyof typeof TYPES }> = {
  '/': { file: 'index.html', type: 'html' },
  '/web/app.js': { file: 'app.js', type: 'js' },
  '/web/api.js': { file: 'api.js', type: 'js' },
  '/web/messages.js': { file: 'messages.js', type: 'js' },
  '/web/view.js': { file: 'view.js', type: 'js' },
  '/web/style.css': { file: 'style.css', type: 'css' },
};

function graphqlWsBrowserBuild(): string {
  // The package's exports do not list umd/: find it beside its entry point.
  const entry = createRequire(import.meta.url).resolve('graphql-ws');
  return readFileSync(join(dirname(entry), '..', 'umd', 'graphql-ws.min.js'), 'utf8');
}

export function createWebAssets(settings: PageSettings): WebAssets {
  const assets = new Map<string, PageAsset>();
  for (const [path, { file, type }] of Object.entries(PAGE_FILES)) {
    let text = readFileSync(join(HERE, file), 'utf8');
    if (file === 'index.html') text = text.replace('{{SETTINGS}}', JSON.stringify(settings).replace(/</g, '\\u003c'));
    assets.set(path, { body: Buffer.from(text), contentType: TYPES[type] });
  }
  assets.set('/web/graphql-ws.js', { body: Buffer.from(graphqlWsBrowserBuild()), contentType: TYPES.js });
  return { find: (path) => assets.get(path) };
}
