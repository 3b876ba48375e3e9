import type { SimulatorContext } from '../context.js';
import type { RequestContext } from './request.js';
import type { HttpResponse } from './responses.js';

export type Handler = (ctx: RequestContext, sim: SimulatorContext) => HttpResponse | Promise<HttpResponse>;

export interface Route {
  method: string;
  /** `/channels/:channelId/messages`; `:name` matches one path segment. */
  pattern: string;
  handler: Handler;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export type Match = { kind: 'found'; handler: Handler; params: Record<string, string> } | { kind: 'wrongMethod' } | { kind: 'none' };

export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.routes = routes.map((route) => {
      const names: string[] = [];
      const source = route.pattern.replace(/:([A-Za-z]+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { ...route, regex: new RegExp(`^${source}/?$`), names };
    });
  }

  match(method: string, path: string): Match {
    let pathMatched = false;
    for (const route of this.routes) {
      const found = route.regex.exec(path);
      if (!found) continue;
      pathMatched = true;
      if (route.method !== method && !(route.method === 'GET' && method === 'HEAD')) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = safeDecode(found[i + 1] ?? '');
      });
      return { kind: 'found', handler: route.handler, params };
    }
    return pathMatched ? { kind: 'wrongMethod' } : { kind: 'none' };
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
