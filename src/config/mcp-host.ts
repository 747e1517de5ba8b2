/**
 * URL of an `mcp`/`sse`/`openapi` target. Either `host` alone — a URL
 * (`http://h:p/path`, `https://…`; port defaults 80/443; path taken from the URL, so a URL without a
 * path yields `/`) or `host:port[/path]` without a scheme (http; `/mcp` or `/sse` when no path) — or
 * `host` + `port` + `path` together ("if port or path is set, both must be set").
 */

export interface HostTarget {
  readonly host: string;
  readonly port?: number | undefined;
  readonly path?: string | undefined;
}

export type TargetUrl =
  { readonly url: URL } | { readonly error: string; readonly field: 'host' | 'port' | 'path' };

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;
const DEFAULT_PATH: Readonly<Record<string, string>> = { mcp: '/mcp', sse: '/sse', openapi: '' };

export function targetUrl(kind: 'mcp' | 'sse' | 'openapi', t: HostTarget): TargetUrl {
  if ((t.port === undefined) !== (t.path === undefined)) {
    return {
      error:
        'if port or path is set, both must be set; otherwise use only host (e.g. host: http://localhost:3001/mcp)',
      field: t.port === undefined ? 'path' : 'port',
    };
  }
  if (t.port !== undefined && t.path !== undefined) {
    if (SCHEME.test(t.host) || t.host.includes('/')) {
      return {
        error: 'with port and path set, host must be a bare hostname (no scheme or path)',
        field: 'host',
      };
    }
    const host = t.host.includes(':') && !t.host.startsWith('[') ? `[${t.host}]` : t.host;
    const path = t.path.startsWith('/') ? t.path : `/${t.path}`;
    return parse(`http://${host}:${t.port}${path}`);
  }
  const scheme = SCHEME.exec(t.host)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (scheme !== 'http' && scheme !== 'https') {
      return { error: `invalid scheme "${scheme}" (expected http or https)`, field: 'host' };
    }
    return parse(t.host);
  }
  // `host:port` form: http, and the transport's default path when none is given.
  const hasPath = t.host.includes('/');
  const r = parse(`http://${t.host}`);
  if ('url' in r && !hasPath) r.url.pathname = DEFAULT_PATH[kind]!;
  return r;
}

function parse(text: string): TargetUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: `invalid host ${JSON.stringify(text)}`, field: 'host' };
  }
  if (!url.hostname) return { error: 'no host', field: 'host' };
  url.hash = '';
  return { url };
}
