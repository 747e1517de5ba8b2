/**
 * Listener and route selection, compiled at config load.
 * Listener: hostname exact > wildcard (longest suffix) > empty (any).
 * Route (Gateway API order): exact path > longest prefix (a regex ranks as a prefix of its source length)
 * > method match > most header matches >
 * most query matches > first in the list.
 */
import type { NormalizedMatch, ValueMatch } from '../config/types.js';

export interface HostMatchable {
  /** '' = any host; may be `*.example.com` */
  readonly hostname: string;
}

/** Host header → lower-case host without port (IPv6 brackets kept). */
export function requestHost(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

export function hostMatches(pattern: string, host: string): number {
  if (pattern === '' || pattern === '*') return 1;
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) && host.length > p.length - 1 ? 1 + p.length : 0;
  return p === host ? 100000 : 0;
}

/** Pick the best listener for a host; undefined = `listener not found`. */
export function selectListener<L extends HostMatchable>(
  listeners: readonly L[],
  host: string,
): L | undefined {
  let best: L | undefined;
  let bestScore = 0;
  for (const l of listeners) {
    const s = hostMatches(l.hostname, host);
    if (s > bestScore) {
      best = l;
      bestScore = s;
    }
  }
  return best;
}

export interface RequestShape {
  readonly method: string;
  readonly path: string;
  readonly host: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: URLSearchParams;
}

type ValueTest = (v: string | undefined) => boolean;

interface CompiledMatch {
  readonly test: (r: RequestShape) => boolean;
  /** Higher wins; compared lexicographically. */
  readonly rank: readonly number[];
}

export interface CompiledRouteMatcher {
  /** Best rank of a matching `matches[]` entry, or undefined when the route does not match. */
  match(r: RequestShape): readonly number[] | undefined;
}

function valueTest(v: ValueMatch): ValueTest {
  if ('exact' in v) return (x) => x === v.exact;
  const re = new RegExp(`^(?:${v.regex})$`);
  return (x) => x !== undefined && re.test(x);
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h.join(', ') : h;
}

function trimSlash(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.replace(/\/+$/, '') : p;
}

function compileMatch(m: NormalizedMatch): CompiledMatch {
  let pathTest: (p: string) => boolean;
  let pathRank: number[];
  switch (m.path.kind) {
    case 'exact': {
      const want = m.path.value;
      pathTest = (p) => p === want;
      pathRank = [3, want.length];
      break;
    }
    case 'prefix': {
      // Segment aware: `/mcp` matches `/mcp`, `/mcp/` and `/mcp/x`, not `/mcpx`; trailing slashes ignored.
      const prefix = trimSlash(m.path.value);
      pathTest =
        prefix === '/' || prefix === ''
          ? () => true
          : (p) => p === prefix || (p.startsWith(prefix) && p.charCodeAt(prefix.length) === 47);
      pathRank = [2, prefix === '/' ? 0 : prefix.length];
      break;
    }
    case 'regex': {
      const re = new RegExp(`^(?:${m.path.value})$`);
      pathTest = (p) => re.test(p);
      // Regex ranks with prefixes by its source length, so a specific regex beats the `/` catch-all.
      pathRank = [2, m.path.value.length];
      break;
    }
  }
  const method = m.method?.toUpperCase();
  const headers = m.headers.map((h) => ({ name: h.name.toLowerCase(), test: valueTest(h.value) }));
  const query = m.query.map((q) => ({ name: q.name, test: valueTest(q.value) }));
  return {
    rank: [...pathRank, method ? 1 : 0, headers.length, query.length],
    test: (r) =>
      pathTest(r.path) &&
      (method === undefined || r.method === method) &&
      headers.every((h) => h.test(headerValue(r.headers[h.name]))) &&
      query.every((q) => q.test(r.query.get(q.name) ?? undefined)),
  };
}

export function compileRouteMatcher(matches: readonly NormalizedMatch[]): CompiledRouteMatcher {
  const compiled = matches.map(compileMatch);
  return {
    match(r) {
      let best: readonly number[] | undefined;
      for (const c of compiled) if (c.test(r) && (!best || compareRank(c.rank, best) > 0)) best = c.rank;
      return best;
    },
  };
}

export function compareRank(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface RoutableRoute {
  readonly hostnames: readonly string[];
  readonly matcher: CompiledRouteMatcher;
}

/** Pick the best route; ties keep the first in config order. */
export function selectRoute<R extends RoutableRoute>(routes: readonly R[], r: RequestShape): R | undefined {
  let best: R | undefined;
  let bestRank: readonly number[] | undefined;
  for (const route of routes) {
    if (route.hostnames.length && !route.hostnames.some((h) => hostMatches(h, r.host) > 0)) continue;
    const rank = route.matcher.match(r);
    if (rank && (!bestRank || compareRank(rank, bestRank) > 0)) {
      best = route;
      bestRank = rank;
    }
  }
  return best;
}
