/**
 * `csrf` policy: refuse cross-site state-changing requests from browsers.
 * - Safe methods (GET, HEAD, OPTIONS) pass.
 * - `Sec-Fetch-Site: same-origin` or `none` (typed URL, bookmark) pass.
 * - Otherwise a present `Origin` must be the request's own origin (scheme://host[:port] as received) or
 *   one of `additionalOrigins`; else `403 CSRF validation failed`.
 * - No `Origin` and no `Sec-Fetch-Site`: not a browser (curl, SDK clients), passes.
 * `additionalOrigins` are normalized once here (lower-case, default port dropped), like the request's.
 */
import type { ConfigPath } from '../../config/types.js';
import type { CsrfConfig } from '../../config/schema/policies.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestContext } from '../../contracts/request-context.js';
import type { CompiledCsrf } from '../types.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TRUSTED_FETCH_SITES = new Set(['same-origin', 'none']);

export function compileCsrf(cfg: CsrfConfig, ctx: BuildContext, at: ConfigPath): CompiledCsrf {
  const allowed = new Set<string>();
  (cfg.additionalOrigins ?? []).forEach((o, i) => {
    const origin = normalizeOrigin(o);
    if (origin === undefined) {
      throw ctx.error(
        [...at, 'additionalOrigins', i],
        `not an origin (scheme://host[:port]): ${JSON.stringify(o)}`,
      );
    }
    allowed.add(origin);
  });
  return {
    allows: function csrf(req: RequestContext): boolean {
      if (SAFE_METHODS.has(req.request.method)) return true;
      const site = req.request.headers['sec-fetch-site'];
      if (site !== undefined && TRUSTED_FETCH_SITES.has(site.toLowerCase())) return true;
      const origin = req.request.headers.origin;
      if (origin === undefined) return site === undefined;
      const o = normalizeOrigin(origin);
      return o !== undefined && (o === req.url.origin || allowed.has(o));
    },
  };
}

/** `scheme://host[:port]` in URL-serialized form, or undefined for anything else (`null`, paths, junk). */
function normalizeOrigin(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  const bare = u.pathname === '/' && !u.search && !u.hash && !u.username && !u.password;
  if (!bare || u.origin === 'null') return undefined;
  return u.origin;
}
