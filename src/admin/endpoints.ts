/**
 * Client-facing endpoints derived from the routes, for the Playground and `/api/endpoints`.
 *
 * The MCP URL of a route: a prefix `/` route serves MCP at `/mcp` (and legacy SSE at `/sse`); a prefix
 * `/foo` route at `/foo` (SSE at `/foo/sse`); an exact `/x` route at `/x` only (no room for `/sse`).
 * Regex matches are skipped: no URL can be derived from them reliably.
 */
import type {
  NormalizedBind,
  NormalizedConfig,
  NormalizedListener,
  NormalizedRoute,
} from '../config/types.js';
import type { EndpointInfo } from './api.js';

export interface EndpointOptions {
  /** The port a bind actually listens on (binds with port 0 get one from the OS). Default: the configured port. */
  readonly boundPort?: (bindKey: string) => number | undefined;
}

export function deriveEndpoints(
  config: Pick<NormalizedConfig, 'binds'>,
  opts: EndpointOptions = {},
): EndpointInfo[] {
  const out: EndpointInfo[] = [];
  const seen = new Set<string>();
  for (const bind of config.binds) {
    const port = opts.boundPort?.(bind.key) ?? bind.port;
    for (const listener of bind.listeners) {
      for (const route of listener.routes) {
        const origin = originOf(bind, listener, route, port);
        const isMcp = route.backends.some((b) => b.kind === 'mcp');
        const stateless = route.backends.some((b) => b.kind === 'mcp' && b.statefulMode === 'stateless');
        const matches = route.matches.length
          ? route.matches
          : [{ path: { kind: 'prefix', value: '/' } as const }];
        for (const m of matches) {
          const paths = pathsFor(m.path, isMcp);
          if (!paths) continue;
          const url = origin + paths.main;
          if (seen.has(url)) continue;
          seen.add(url);
          const sseUrl = isMcp && paths.sse && !stateless ? origin + paths.sse : undefined;
          out.push({
            url,
            path: paths.main,
            ...(sseUrl ? { sseUrl } : {}),
            listener: listener.key,
            route: route.key,
            kind: isMcp ? 'mcp' : 'http',
            transports: isMcp ? (sseUrl ? ['streamable', 'sse'] : ['streamable']) : [],
            auth: route.policies.jwtAuth !== undefined || route.policies.mcpAuthentication !== undefined,
            cors: route.policies.cors !== undefined,
          });
        }
      }
    }
  }
  return out;
}

function pathsFor(
  path: NormalizedRoute['matches'][number]['path'],
  isMcp: boolean,
): { main: string; sse?: string } | undefined {
  if (path.kind === 'regex') return undefined;
  if (path.kind === 'exact') return { main: path.value };
  const base = path.value.replace(/\/+$/, '');
  if (!isMcp) return { main: base || '/' };
  if (base === '') return { main: '/mcp', sse: '/sse' };
  return { main: base, sse: `${base}/sse` };
}

function originOf(
  bind: NormalizedBind,
  listener: NormalizedListener,
  route: NormalizedRoute,
  port: number,
): string {
  const scheme = listener.protocol === 'HTTPS' ? 'https' : 'http';
  const named = [...route.hostnames, listener.hostname].find((h) => h !== '' && !h.includes('*'));
  const host = named ?? hostOfAddress(bind.address);
  const defaultPort = scheme === 'https' ? 443 : 80;
  return `${scheme}://${host}${port === defaultPort ? '' : `:${port}`}`;
}

function hostOfAddress(address: string): string {
  if (
    address === '' ||
    address === '::' ||
    address === '0.0.0.0' ||
    address === '::1' ||
    address === '127.0.0.1'
  ) {
    return 'localhost';
  }
  return address.includes(':') ? `[${address}]` : address;
}
