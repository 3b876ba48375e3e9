/**
 * The web page at / (index.html, its script modules and style) and the one library it needs,
 * graphql-ws's browser build, straight from node_modules: no CDN, works offline. Files are read
 * once at start; only the names listed here are served. The page's settings (limits, the upload
 * rules it checks before sending) are written into index.html.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BOT_PLANS, COMMAND_COSTS, DEFAULT_PLAN, GIF_RULES } from '../jobs/command-costs.js';
import { ID_NAME_MAX_LENGTH, MAX_SAVED_IDS } from '../jobs/identity-names.js';

/** One file of the page, ready to send (usePage in src/http/plugins/use-routes.ts answers GET and HEAD with it). */
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

/** The page's own files, served under /web/ by these names (index.html at /). Nothing else is served. */
const PAGE_FILES = [
  'app.js',
  'api.js',
  'dom.js',
  'image-check.js',
  'live.js',
  'messages.js',
  'operator/account-card.js',
  'operator/queue-list.js',
  'operator/view.js',
  'style.css',
  'people/channel.js',
  'people/credits.js',
  'people/drop-zone.js',
  'people/field-errors.js',
  'people/history.js',
  'people/job-card.js',
  'people/names.js',
  'people/results.js',
  'people/saved-faces.js',
  'people/swap.js',
  'people/token.js',
  'people/view.js',
] as const;

/** Rules the page checks before uploading, from the tables the server checks them with. */
const PAGE_RULES = {
  gif: {
    maxBytes: GIF_RULES[DEFAULT_PLAN].maxBytes.value,
    maxFrames: Object.fromEntries(BOT_PLANS.map((plan) => [plan.toUpperCase(), GIF_RULES[plan].maxFrames.value])),
  },
  idName: { maxLength: ID_NAME_MAX_LENGTH, maxSaved: MAX_SAVED_IDS },
  /** The table's price of a still swap (PICSI_CREDIT_COST may differ: the page says "about"). */
  credits: { picsi: COMMAND_COSTS.picsi.value },
};

const typeOf = (file: string) => TYPES[file.slice(file.lastIndexOf('.') + 1) as keyof typeof TYPES];

function graphqlWsBrowserBuild(): string {
  // The package's exports do not list umd/: find it beside its entry point.
  const entry = createRequire(import.meta.url).resolve('graphql-ws');
  return readFileSync(join(dirname(entry), '..', 'umd', 'graphql-ws.min.js'), 'utf8');
}

export function createWebAssets(settings: PageSettings): WebAssets {
  const assets = new Map<string, PageAsset>();
  const page = readFileSync(join(HERE, 'index.html'), 'utf8').replace(
    '{{SETTINGS}}',
    JSON.stringify({ ...settings, ...PAGE_RULES }).replace(/</g, '\\u003c'),
  );
  assets.set('/', { body: Buffer.from(page), contentType: TYPES.html });
  for (const file of PAGE_FILES) assets.set(`/web/${file}`, { body: readFileSync(join(HERE, file)), contentType: typeOf(file) });
  assets.set('/web/graphql-ws.js', { body: Buffer.from(graphqlWsBrowserBuild()), contentType: TYPES.js });
  return { find: (path) => assets.get(path) };
}
