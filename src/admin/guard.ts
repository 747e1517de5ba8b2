/**
 * The checks every admin request passes before routing, in this order:
 * 1. Host: on a loopback bind the Host must be a loopback name (a DNS-rebinding page has a foreign name);
 *    a Host that does not parse is refused everywhere.
 * 2. Cross-site: a request another site's page made (Sec-Fetch-Site `cross-site`/`same-site`, or an Origin
 *    other than the Host) is refused on every API route, GETs included — `/api/explain` spawns children,
 *    `/api/preflight` sends requests. Top-level navigations to the UI pages are allowed (harmless, and
 *    links to the UI must work).
 * 3. Token: when an admin token is set, every API route needs `Authorization: Bearer <token>` (401 with
 *    `WWW-Authenticate: Bearer`). The UI's static files are served without it; the UI then asks for it.
 */
import type { IncomingMessage } from 'node:http';
import { isLoopback } from '../net/loopback.js';
import { bearerMatcher } from './token.js';

export interface GuardRefusal {
  /** For the `portcullis_admin_refused_total` metric. */
  readonly reason: 'host' | 'cross_site' | 'token';
  readonly status: number;
  readonly message: string;
  readonly headers?: Record<string, string>;
}

export interface AdminGuard {
  /** Undefined when the request may proceed. `ui`: the path is a UI page or asset. */
  check(req: IncomingMessage, hostname: string, ui: boolean): GuardRefusal | undefined;
  /** Whether the request carries the admin token (always false when none is set). */
  authenticated(req: IncomingMessage): boolean;
}

export function createAdminGuard(bindHost: string, token: string | undefined): AdminGuard {
  const loopbackOnly = isLoopback(bindHost);
  const matches = token === undefined ? undefined : bearerMatcher(token);
  return {
    check(req, hostname, ui) {
      if (loopbackOnly && !isLoopback(hostname)) {
        return {
          reason: 'host',
          status: 421,
          message: `the admin server answers only to localhost, not to Host ${hostname}`,
        };
      }
      if (crossSite(req) && !(ui && navigation(req))) {
        return {
          reason: 'cross_site',
          status: 403,
          message: 'cross-origin request refused: the admin API answers only its own UI',
        };
      }
      if (matches && !ui && !matches(req.headers.authorization)) {
        return {
          reason: 'token',
          status: 401,
          message: 'the admin API needs the admin token: Authorization: Bearer <PORTCULLIS_ADMIN_TOKEN>',
          headers: { 'www-authenticate': 'Bearer realm="portcullis-admin"' },
        };
      }
      return undefined;
    },
    authenticated: (req) => matches?.(req.headers.authorization) ?? false,
  };
}

/** A browser request made by another site's page (Sec-Fetch-Site says so, or Origin differs from Host). */
function crossSite(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true; // `null` (sandboxed frames, file:) and garbage
  }
}

function navigation(req: IncomingMessage): boolean {
  return req.method === 'GET' && req.headers['sec-fetch-mode'] === 'navigate';
}
