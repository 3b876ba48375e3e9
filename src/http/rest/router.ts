/**
 * Matches a request to a route of the table by method and path. A trailing slash is optional (the
 * hosted API's own paths have one: `jobs/?jobid=`); `{name}` matches one path segment.
 */
import type { HttpMethod, RouteSpec } from './route.js';

export type RouteMatch =
  { kind: 'route'; route: RouteSpec; params: Record<string, string> } | { kind: 'wrong-method'; allowed: HttpMethod[] } | { kind: 'none' };

interface CompiledRoute {
  route: RouteSpec;
  pattern: RegExp;
  names: string[];
}

const withoutTrailingSlash = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);

function compile(route: RouteSpec): CompiledRoute {
  const names: string[] = [];
  const source = withoutTrailingSlash(route.path)
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

export function createRouter(routes: readonly RouteSpec[]): (method: string, path: string) => RouteMatch {
  const compiled = routes.map(compile);
  return (method, path) => {
    const target = withoutTrailingSlash(path);
    const allowed: HttpMethod[] = [];
    for (const { route, pattern, names } of compiled) {
      const match = pattern.exec(target);
      if (!match) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params = Object.fromEntries(names.map((name, i) => [name, safeDecode(match[i + 1]!)]));
      return { kind: 'route', route, params };
    }
    return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'none' };
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
