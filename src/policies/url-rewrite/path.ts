/**
 * The Gateway-API path and authority rewrites shared by `urlRewrite` and `requestRedirect`:
 * `path: {full}` replaces the whole path, `path: {prefix}` replaces the part the route's `pathPrefix`
 * matched (segment-aware, the longest of the route's prefixes that matches); `authority: {full}`,
 * `{host}` (keeps the port), `{port}` (keeps the host), `auto`/`none` (unchanged).
 */
import type { UrlRewriteConfig } from '../../config/schema/traffic.js';
import type { NormalizedMatch } from '../../config/types.js';

export type PathRewrite = (path: string) => string;
export type AuthorityRewrite = (authority: string) => string;

/** The route's `pathPrefix` values, longest first (what `{prefix}` replaces). */
export function routePrefixes(matches: readonly NormalizedMatch[]): string[] {
  return matches
    .filter((m) => m.path.kind === 'prefix')
    .map((m) => m.path.value.replace(/\/+$/, ''))
    .sort((a, b) => b.length - a.length);
}

function matchedPrefix(path: string, prefixes: readonly string[]): string {
  for (const p of prefixes) {
    if (p === '' || path === p || path.startsWith(p + '/')) return p;
  }
  return '';
}

export function compilePathRewrite(
  cfg: UrlRewriteConfig['path'],
  prefixes: readonly string[],
): PathRewrite | undefined {
  if (!cfg) return undefined;
  if ('full' in cfg) {
    const full = cfg.full.startsWith('/') ? cfg.full : `/${cfg.full}`;
    return () => full;
  }
  const replacement = cfg.prefix.replace(/\/+$/, '');
  return (path) => {
    const rest = path.slice(matchedPrefix(path, prefixes).length);
    const out = replacement + (rest.startsWith('/') || rest === '' ? rest : `/${rest}`);
    return out === '' ? '/' : out;
  };
}

function splitAuthority(a: string): { host: string; port: string | undefined } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(a);
  return { host: m?.[1] ?? a, port: m?.[2] };
}

export function compileAuthorityRewrite(cfg: UrlRewriteConfig['authority']): AuthorityRewrite | undefined {
  if (!cfg || cfg === 'auto' || cfg === 'none') return undefined;
  if ('full' in cfg) return () => cfg.full;
  if ('host' in cfg) {
    return (a) => {
      const { port } = splitAuthority(a);
      return port ? `${cfg.host}:${port}` : cfg.host;
    };
  }
  return (a) => `${splitAuthority(a).host}:${cfg.port}`;
}

export { splitAuthority };
