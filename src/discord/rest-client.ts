/**
 * One account's REST access: an @discordjs/rest `REST` used as a user client (`auth: false`, the raw
 * token as Authorization per request), v9, base URL from DISCORD_API_URL, `retries: 0` so
 * /interactions is never sent twice, and library rate-limit handling except on /interactions,
 * where a 429 is rejected at once (rejectOnRateLimit) and reported with Discord's body.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimitError, REST } from '@discordjs/rest';
import type { APIMessage, RESTGetAPIGatewayResult } from 'discord-api-types/v10';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { createTransport } from './http-transport.js';
import { accountDispatcher } from './proxy.js';
import type { RequestInfo } from './http-transport.js';
import type {
  ApplicationCommandIndex,
  AttachmentSlotsRequest,
  AttachmentSlotsResponse,
  RefreshUrlsRequest,
  RefreshUrlsResponse,
  SlashCommandInvokeBody,
} from './protocol.js';
import { GLOBAL_REQUESTS_PER_SECOND } from './protocol.js';

export const API_VERSION = '9';
const INTERACTIONS_ROUTE = '/interactions';
/** Longest wait for the library's own rate-limit pacing before /interactions (nothing sent yet). */
const PREEMPTIVE_WAIT_MAX_MS = 2_000;

export interface DiscordRestOptions {
  apiUrl: string;
  token: string;
  logger: Logger;
  /** Per-request timeout of the library (default 15 s). */
  requestTimeoutMs?: number;
  globalRequestsPerSecond?: number;
  /** Told the URL path of every request Discord answered with 429 (metrics). */
  onRateLimited?: (path: string) => void;
  /** The account's proxy: every connection goes through it. */
  proxy?: string;
}

/** What happened on the wire to one /interactions request (by nonce). */
export interface InvokeTrace {
  sent: boolean;
  /** Discord's 429 body, when it answered 429. */
  rateLimitBody?: unknown;
}

export class DiscordRest {
  /** The account's connection pool (through its proxy, if any), shared with the uploads and result downloads. */
  readonly agent: Dispatcher;
  private readonly rest: REST;
  private readonly traces = new Map<string, InvokeTrace>();
  private readonly auth: { auth: false; headers: Record<string, string> };

  constructor(private readonly options: DiscordRestOptions) {
    this.agent = accountDispatcher(options.proxy);
    this.auth = { auth: false, headers: { Authorization: options.token } };
    this.rest = new REST({
      api: options.apiUrl,
      version: API_VERSION,
      retries: 0,
      rejectOnRateLimit: [INTERACTIONS_ROUTE],
      timeout: options.requestTimeoutMs ?? 15_000,
      globalRequestsPerSecond: options.globalRequestsPerSecond ?? GLOBAL_REQUESTS_PER_SECOND,
      makeRequest: createTransport(this.agent, {
        sending: (req) => this.trace(req, (t) => (t.sent = true)),
        errorResponse: (req, status, text) => {
          if (status !== 429) return;
          this.trace(req, (t) => (t.rateLimitBody = parseJson(text)));
          options.onRateLimited?.(new URL(req.url).pathname);
        },
      }),
    });
    this.rest.on('restDebug', (message: string) => options.logger.trace({ rest: message }, 'rest debug'));
  }

  async gatewayUrl(signal: AbortSignal): Promise<string> {
    // GET /gateway needs no auth; sent without the token.
    const body = (await this.scoped(signal, (s) =>
      this.rest.get('/gateway', { auth: false, signal: s }),
    )) as Partial<RESTGetAPIGatewayResult>;
    if (typeof body.url !== 'string') throw new Error('GET /gateway returned no url');
    return body.url;
  }

  async commandIndex(guildId: string, signal: AbortSignal): Promise<ApplicationCommandIndex> {
    const body = (await this.scoped(signal, (s) =>
      this.rest.get(`/guilds/${guildId}/application-command-index`, { ...this.auth, signal: s }),
    )) as Partial<ApplicationCommandIndex>;
    if (!Array.isArray(body.application_commands)) throw new Error('application-command-index returned no application_commands');
    return { applications: body.applications ?? [], application_commands: body.application_commands, version: body.version ?? '' };
  }

  async attachmentSlots(channelId: string, request: AttachmentSlotsRequest, signal: AbortSignal): Promise<AttachmentSlotsResponse> {
    const body = (await this.scoped(signal, (s) =>
      this.rest.post(`/channels/${channelId}/attachments`, { ...this.auth, body: request, signal: s }),
    )) as Partial<AttachmentSlotsResponse>;
    if (!Array.isArray(body.attachments)) throw new Error('attachments returned no upload slots');
    return { attachments: body.attachments };
  }

  /** POST /interactions (expects 204). Its wire trace stays readable by nonce until `forget`. */
  async invoke(body: SlashCommandInvokeBody, signal: AbortSignal): Promise<void> {
    this.traces.set(body.nonce, { sent: false });
    for (;;) {
      try {
        await this.scoped(signal, (s) => this.rest.post(INTERACTIONS_ROUTE, { ...this.auth, body, signal: s }));
        return;
      } catch (error) {
        // The library's own pacing (its global 50 req/s, or a bucket it knows is spent) refused
        // before anything was sent: a short wait is safe. A 429 Discord answered, or a long wait,
        // is reported so the executor can cool the account down and use another channel.
        const trace = this.invokeTrace(body.nonce);
        const preemptive = error instanceof RateLimitError && !trace.sent && error.retryAfter <= PREEMPTIVE_WAIT_MAX_MS;
        if (!preemptive) throw error;
        await sleep(Math.max(1, error.retryAfter), undefined, { signal });
      }
    }
  }

  invokeTrace(nonce: string): InvokeTrace {
    return this.traces.get(nonce) ?? { sent: false };
  }

  forget(nonce: string): void {
    this.traces.delete(nonce);
  }

  /** POST /attachments/refresh-urls: fresh signed CDN URLs for expired ones (original → refreshed). */
  async refreshUrls(urls: string[], signal: AbortSignal): Promise<Map<string, string>> {
    const request: RefreshUrlsRequest = { attachment_urls: urls };
    const body = (await this.scoped(signal, (s) =>
      this.rest.post('/attachments/refresh-urls', { ...this.auth, body: request, signal: s }),
    )) as Partial<RefreshUrlsResponse>;
    return new Map((body.refreshed_urls ?? []).map((r) => [r.original, r.refreshed]));
  }

  async messages(channelId: string, limit: number, signal: AbortSignal): Promise<APIMessage[]> {
    const query = new URLSearchParams({ limit: String(limit) });
    const body = await this.scoped(signal, (s) => this.rest.get(`/channels/${channelId}/messages`, { ...this.auth, query, signal: s }));
    return Array.isArray(body) ? (body as APIMessage[]) : [];
  }

  /** GET of any route with the account's token (read-only lookups such as /users/@me). */
  async get(route: `/${string}`, signal: AbortSignal): Promise<unknown> {
    return this.scoped(signal, (s) => this.rest.get(route, { ...this.auth, signal: s }));
  }

  /** Stops the library's sweep intervals and closes every pooled connection. */
  async close(): Promise<void> {
    this.rest.clearHashSweeper();
    this.rest.clearHandlerSweeper();
    this.rest.removeAllListeners();
    await this.agent.destroy();
  }

  /**
   * Runs one library call with its own signal that follows the job's. The library never removes
   * the abort listener it adds to a request's signal; this way it lands on a throwaway signal
   * instead of piling up on the job's.
   */
  private async scoped<T>(signal: AbortSignal, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const own = new AbortController();
    const follow = (): void => own.abort(signal.reason);
    if (signal.aborted) follow();
    else signal.addEventListener('abort', follow, { once: true });
    try {
      return await call(own.signal);
    } finally {
      signal.removeEventListener('abort', follow);
    }
  }

  private trace(req: RequestInfo, update: (t: InvokeTrace) => void): void {
    if (!new URL(req.url).pathname.endsWith(INTERACTIONS_ROUTE) || req.method !== 'POST') return;
    const nonce = nonceOf(req.body);
    const trace = nonce === undefined ? undefined : this.traces.get(nonce);
    if (trace) update(trace);
  }
}

function nonceOf(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  const parsed = parseJson(body);
  const nonce = typeof parsed === 'object' && parsed !== null ? (parsed as { nonce?: unknown }).nonce : undefined;
  return typeof nonce === 'string' ? nonce : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
