/**
 * `cors` policy. Runs first in the pipeline — before authentication —
 * so preflights are never auth-gated and every response, errors included, carries the CORS headers.
 *
 * - Preflight = `OPTIONS` + non-empty `Access-Control-Request-Method` + `Origin`: answered here with 204;
 *   from a disallowed origin the 204 carries no CORS headers (never forwarded to the backend).
 * - Actual request from an allowed origin: `Access-Control-Allow-Origin` (the origin, echoed),
 *   `-Allow-Credentials`, `-Expose-Headers` and `Vary: Origin` are set on `ctx.res` before anything else.
 * - `*` is never sent together with `Access-Control-Allow-Credentials: true`.
 * - MCP routes (`opts.mcpBackend`): `Mcp-Session-Id`, `Mcp-Protocol-Version` and `WWW-Authenticate` are
 *   exposed, and with `allowHeaders: ['*']` the MCP request headers are listed explicitly (a `*` never
 *   covers `Authorization`).
 * Everything that does not depend on the request is computed here, at load.
 */
import type { IncomingMessage } from 'node:http';
import type { ConfigPath } from '../../config/types.js';
import type { CorsConfig } from '../../config/schema/policies.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestContext } from '../../contracts/request-context.js';
import type { CompiledCors } from '../types.js';
import { isToken, splitList } from '../headers/names.js';
import { parseDurationMs } from '../../config/duration.js';
import { OriginMatcher } from './origin.js';
import { addVary } from './vary.js';

/** Response headers an MCP browser client must read (session id, negotiated version, OAuth challenge). */

/**
 * MCP-aware default when `allowMethods` is not configured on an MCP route: the Streamable HTTP
 * transport needs DELETE (end the session) and GET (the server stream) besides POST; without them a
 * browser client cannot end its session and it lingers until its idle TTL.
 */
const MCP_DEFAULT_METHODS = 'GET, POST, DELETE';

export const MCP_EXPOSE_HEADERS = ['Mcp-Session-Id', 'Mcp-Protocol-Version', 'WWW-Authenticate'] as const;
/** Request headers an MCP browser client sends; listed explicitly because `*` does not cover Authorization. */
export const MCP_ALLOW_HEADERS = [
  'Authorization',
  'Mcp-Session-Id',
  'Mcp-Protocol-Version',
  'Last-Event-ID',
  'Content-Type',
] as const;
const PREFLIGHT_VARY = ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers'];

interface NameList {
  /** The list contained `*`. */
  readonly wildcard: boolean;
  /** The names other than `*`, de-duplicated case-insensitively, in config order. */
  readonly names: readonly string[];
}

/** The header values that depend only on whether the route has an MCP backend. */
interface Variant {
  readonly exposeHeaders: string | undefined;
  /** Non-wildcard allowHeaders as sent; undefined = header omitted. */
  readonly allowHeaders: string | undefined;
  /** With wildcard allowHeaders: names always listed before the echoed ones. */
  readonly alwaysAllow: readonly string[];
}

interface Compiled {
  readonly origins: OriginMatcher;
  readonly credentials: boolean;
  readonly methods: NameList | undefined;
  readonly allowMethods: string | undefined;
  readonly headersWildcard: boolean;
  readonly maxAge: string | undefined;
  readonly plain: Variant;
  readonly mcp: Variant;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Append names not already present (case-insensitive). */
function union(base: readonly string[], extra: readonly string[]): string[] {
  const seen = new Set(base.map((n) => n.toLowerCase()));
  const out = [...base];
  for (const n of extra) {
    if (!seen.has(n.toLowerCase())) {
      seen.add(n.toLowerCase());
      out.push(n);
    }
  }
  return out;
}

class CorsPolicy implements CompiledCors {
  readonly #c: Compiled;
  constructor(c: Compiled) {
    this.#c = c;
  }

  handle(ctx: RequestContext, opts: { mcpBackend: boolean }): boolean {
    const { req, res } = ctx;
    const c = this.#c;
    const origin = headerValue(req, 'origin');
    const requestedMethod = headerValue(req, 'access-control-request-method')?.trim();
    const preflight = req.method === 'OPTIONS' && !!requestedMethod && origin !== undefined;
    const allowed = origin !== undefined && c.origins.matches(origin);
    const v = opts.mcpBackend ? c.mcp : c.plain;

    if (!preflight) {
      // The answer differs with and without an allowed Origin, so caches must key on it.
      addVary(res, ['Origin']);
      if (!allowed) return false;
      res.setHeader('access-control-allow-origin', origin);
      if (c.credentials) res.setHeader('access-control-allow-credentials', 'true');
      if (v.exposeHeaders !== undefined) res.setHeader('access-control-expose-headers', v.exposeHeaders);
      return false;
    }

    addVary(res, PREFLIGHT_VARY);
    if (allowed) {
      res.setHeader('access-control-allow-origin', origin);
      if (c.credentials) res.setHeader('access-control-allow-credentials', 'true');
      const methods = c.methods?.wildcard
        ? isToken(requestedMethod)
          ? requestedMethod
          : undefined
        : (c.allowMethods ?? (opts.mcpBackend ? MCP_DEFAULT_METHODS : undefined));
      if (methods !== undefined) res.setHeader('access-control-allow-methods', methods);
      const headers = c.headersWildcard ? this.#echoHeaders(req, v) : v.allowHeaders;
      if (headers !== undefined) res.setHeader('access-control-allow-headers', headers);
      if (c.maxAge !== undefined) res.setHeader('access-control-max-age', c.maxAge);
      if (v.exposeHeaders !== undefined) res.setHeader('access-control-expose-headers', v.exposeHeaders);
    }
    res.writeHead(204);
    res.end();
    return true;
  }

  /** Wildcard allowHeaders: the always-allowed names plus what was asked; `*` only without credentials. */
  #echoHeaders(req: IncomingMessage, v: Variant): string | undefined {
    const requested = splitList(headerValue(req, 'access-control-request-headers')).filter(isToken);
    const names = union(v.alwaysAllow, requested);
    if (names.length > 0) return names.join(', ');
    return this.#c.credentials ? undefined : '*';
  }
}

function compileNames(
  list: readonly string[] | undefined,
  ctx: BuildContext,
  at: ConfigPath,
  what: 'header name' | 'method',
): NameList | undefined {
  if (list === undefined) return undefined;
  let wildcard = false;
  const names: string[] = [];
  list.forEach((raw, i) => {
    const name = raw.trim();
    if (name === '*') {
      wildcard = true;
      return;
    }
    if (!isToken(name)) throw ctx.error([...at, i], `"${raw}" is not a valid ${what}`);
    names.push(what === 'method' ? name.toUpperCase() : name);
  });
  return { wildcard, names: union([], names) };
}

export function compileCors(cfg: CorsConfig, ctx: BuildContext, at: ConfigPath): CompiledCors {
  const credentials = cfg.allowCredentials ?? false;
  const origins = OriginMatcher.compile(cfg.allowOrigins ?? [], (i, reason) => {
    ctx.warn([...at, 'allowOrigins', i], `${reason}; this entry never matches`);
  });
  if ((cfg.allowOrigins ?? []).length === 0) {
    ctx.warn([...at, 'allowOrigins'], 'allowOrigins is empty: no cross-origin request is allowed');
  }
  if (origins.any && credentials) {
    ctx.warn(
      [...at, 'allowOrigins'],
      'allowOrigins "*" with allowCredentials: every web site can make credentialed requests',
    );
  }
  const methods = compileNames(cfg.allowMethods, ctx, [...at, 'allowMethods'], 'method');
  const headers = compileNames(cfg.allowHeaders, ctx, [...at, 'allowHeaders'], 'header name');
  const expose = compileNames(cfg.exposeHeaders, ctx, [...at, 'exposeHeaders'], 'header name');
  if (expose?.wildcard && credentials) {
    ctx.warn(
      [...at, 'exposeHeaders'],
      'exposeHeaders "*" is ignored with allowCredentials (browsers read it as a header named "*")',
    );
  }

  let maxAge: string | undefined;
  if (cfg.maxAge !== undefined) {
    const ms = parseDurationMs(cfg.maxAge);
    if (ms === undefined) throw ctx.error([...at, 'maxAge'], `invalid duration "${cfg.maxAge}"`);
    maxAge = String(Math.floor(ms / 1000));
  }

  const joined = (names: readonly string[]): string | undefined =>
    names.length ? names.join(', ') : undefined;
  // Expose: `*` works only without credentials; it then already covers the MCP headers.
  const exposeStar = !!expose?.wildcard && !credentials;
  const exposeNames = expose?.names ?? [];
  const variant = (mcp: boolean): Variant => ({
    exposeHeaders: exposeStar
      ? joined(union(['*'], exposeNames))
      : joined(mcp ? union(exposeNames, MCP_EXPOSE_HEADERS) : exposeNames),
    allowHeaders: headers === undefined || headers.wildcard ? undefined : joined(headers.names),
    alwaysAllow: headers?.wildcard ? union(headers.names, mcp ? MCP_ALLOW_HEADERS : []) : [],
  });

  return new CorsPolicy(
    Object.freeze({
      origins,
      credentials,
      methods,
      allowMethods: methods === undefined || methods.wildcard ? undefined : joined(methods.names),
      headersWildcard: !!headers?.wildcard,
      maxAge,
      plain: Object.freeze(variant(false)),
      mcp: Object.freeze(variant(true)),
    }),
  );
}
