/**
 * NormalizedConfig → Snapshot: compiles every policy (CEL, JWKS, CORS strings…) and every route matcher
 * at load (STYLE §2). Nothing here runs per request. All errors of all policies are collected, so one
 * reload reports every problem at once.
 */
import { createHash } from 'node:crypto';
import type { ConfigPath, NormalizedBind, NormalizedMcpBackend, NormalizedRoute } from '../config/types.js';
import type { RoutePoliciesConfig } from '../config/schema/index.js';
import { ALLOW_ALL } from '../mcp/authorizer.js';
import type { RuntimeMcpBackend } from '../mcp/types.js';
import { compileMcpAuthorization } from '../policies/authorization/mcp.js';
import { compileHttpAuthorization } from '../policies/authorization/http.js';
import { denyRuleWarner } from '../policies/authorization/options.js';
import { compileBackendAuth } from '../policies/backend-auth/index.js';
import { compileBackendTls } from '../policies/backend-tls/index.js';
import { compileCors } from '../policies/cors/index.js';
import { compileCsrf } from '../policies/csrf/index.js';
import { compileDirectResponse } from '../policies/direct-response/index.js';
import { compileHeaderModifier } from '../policies/headers/index.js';
import { compileJwtAuth } from '../policies/jwt/index.js';
import { compileMcpAuthentication } from '../policies/mcp-authentication/index.js';
import { compileLocalRateLimit } from '../policies/rate-limit/index.js';
import { compileTimeout } from '../policies/timeout/index.js';
import type { CompiledRoutePolicies } from '../policies/types.js';
import type { AuthnLogger } from '../policies/jwt/deps.js';
import { compileRouteMatcher } from '../server/router.js';
import type { BuildContext } from './build-context.js';
import type { RuntimeBackend, RuntimeBind, RuntimeListener, RuntimeRoute, Snapshot } from './snapshot.js';
import type { NormalizedConfig } from '../config/types.js';

/** Run-time collaborators handed to policies that need them (logging of rejections, JWKS refresh). */
export interface BuildDeps {
  readonly logger?: AuthnLogger;
  readonly onJwksRefresh?: (ok: boolean) => void;
}

export interface BuildInput {
  readonly config: NormalizedConfig;
  readonly build: BuildContext & { readonly dependencies: Set<string>; readonly warnings: string[] };
}

/** Errors collected while compiling; thrown together at the end. */
class Collector {
  readonly errors: unknown[] = [];
  readonly closers: (() => void)[] = [];
  async run<T>(fn: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.errors.push(e);
      return undefined;
    }
  }
}

export function isLoopback(address: string): boolean {
  return (
    address === '127.0.0.1' || address === '::1' || address === 'localhost' || address.startsWith('127.')
  );
}

/**
 * Stable identity of an MCP backend across reloads: same name, targets, modes and TLS settings → same
 * key. A changed backendTLS (new CA, rotated client certificate) closes the sessions that used the old one.
 */
export function mcpBackendKey(route: NormalizedRoute, b: NormalizedMcpBackend, tlsKey?: string): string {
  const strip = (v: unknown): unknown =>
    JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'at' ? undefined : x)));
  const h = createHash('sha256')
    .update(
      JSON.stringify(
        strip({
          targets: b.targets,
          statefulMode: b.statefulMode,
          prefixMode: b.prefixMode,
          failureMode: b.failureMode,
          tls: tlsKey,
        }),
      ),
    )
    .digest('base64url')
    .slice(0, 16);
  return `${route.key}/${b.name}#${h}`;
}

async function compilePolicies(
  p: Readonly<RoutePoliciesConfig>,
  at: ConfigPath,
  ctx: BuildContext,
  c: Collector,
  deps: BuildDeps,
  policyAt?: Readonly<Record<string, ConfigPath>>,
): Promise<CompiledRoutePolicies> {
  const authnDeps = {
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.onJwksRefresh ? { onJwksRefresh: deps.onJwksRefresh } : {}),
  };
  // A deny rule that fails to evaluate opens access: say so in the log.
  const authzDeps = deps.logger ? { onDenyRuleError: denyRuleWarner(deps.logger) } : {};
  const pat = (name: string): ConfigPath => policyAt?.[name] ?? [...at, 'policies', name];
  const out: { -readonly [K in keyof CompiledRoutePolicies]: CompiledRoutePolicies[K] } = {};
  if (p.cors) out.cors = await c.run(() => compileCors(p.cors!, ctx, pat('cors')));
  if (p.csrf) out.csrf = await c.run(() => compileCsrf(p.csrf!, ctx, pat('csrf')));
  if (p.jwtAuth) {
    out.jwtAuth = await c.run(() => compileJwtAuth(p.jwtAuth!, ctx, pat('jwtAuth'), authnDeps));
    if (out.jwtAuth) c.closers.push(() => out.jwtAuth?.close());
  }
  if (p.mcpAuthentication) {
    out.mcpAuthentication = await c.run(() =>
      compileMcpAuthentication(p.mcpAuthentication!, ctx, pat('mcpAuthentication'), authnDeps),
    );
    if (out.mcpAuthentication) c.closers.push(() => out.mcpAuthentication?.close());
  }
  if (p.authorization)
    out.authorization = await c.run(() =>
      compileHttpAuthorization(p.authorization!, ctx, pat('authorization'), authzDeps),
    );
  if (p.mcpAuthorization)
    out.mcpAuthorization = await c.run(() =>
      compileMcpAuthorization(p.mcpAuthorization!, ctx, pat('mcpAuthorization'), authzDeps),
    );
  if (p.localRateLimit)
    out.localRateLimit = await c.run(() =>
      compileLocalRateLimit(p.localRateLimit!, ctx, pat('localRateLimit')),
    );
  if (p.requestHeaderModifier)
    out.requestHeaderModifier = await c.run(() =>
      compileHeaderModifier(p.requestHeaderModifier!, ctx, pat('requestHeaderModifier')),
    );
  if (p.responseHeaderModifier)
    out.responseHeaderModifier = await c.run(() =>
      compileHeaderModifier(p.responseHeaderModifier!, ctx, pat('responseHeaderModifier')),
    );
  if (p.timeout) out.timeout = await c.run(() => compileTimeout(p.timeout!, ctx, pat('timeout')));
  if (p.directResponse)
    out.directResponse = await c.run(() =>
      compileDirectResponse(p.directResponse!, ctx, pat('directResponse')),
    );
  if (p.backendAuth)
    out.backendAuth = await c.run(() => compileBackendAuth(p.backendAuth!, ctx, pat('backendAuth')));
  if (p.backendTLS)
    out.backendTls = await c.run(() => compileBackendTls(p.backendTLS!, ctx, pat('backendTLS')));
  return out;
}

async function buildRoute(
  route: NormalizedRoute,
  bind: NormalizedBind,
  ctx: BuildContext,
  c: Collector,
  mcpKeys: Set<string>,
  deps: BuildDeps,
): Promise<RuntimeRoute> {
  const policies = await compilePolicies(route.policies, route.at, ctx, c, deps, route.policyAt);
  let backend: RuntimeBackend | undefined;
  const first = route.backends[0];
  if (first?.kind === 'mcp') {
    const mcp: RuntimeMcpBackend = {
      key: mcpBackendKey(route, first, policies.backendTls?.key),
      config: first,
      authorizer: policies.mcpAuthorization ?? ALLOW_ALL,
      backendAuth: policies.backendAuth,
      backendTls: policies.backendTls,
      dnsRebindingProtection: first.dnsRebindingProtection ?? isLoopback(bind.address),
    };
    if (policies.backendTls) warnPlainHttpTargets(first, ctx);
    mcpKeys.add(mcp.key);
    backend = { kind: 'mcp', mcp };
  } else if (first?.kind === 'host') {
    backend = { kind: 'host', host: first.host };
  }
  return {
    key: route.key,
    name: route.name,
    hostnames: route.hostnames,
    matcher: compileRouteMatcher(route.matches),
    policies,
    backend,
    config: route,
  };
}

/** backendTLS only shapes TLS connections: say so for targets it cannot reach. */
function warnPlainHttpTargets(b: NormalizedMcpBackend, ctx: BuildContext): void {
  for (const t of b.targets) {
    const url = t.kind === 'mcp' || t.kind === 'sse' ? t.url : t.kind === 'openapi' ? t.baseUrl : undefined;
    if (url?.startsWith('http:')) {
      ctx.warn(t.at, `backendTLS has no effect on target "${t.name}" (${url} is not https)`);
    }
  }
}

async function buildBind(
  bind: NormalizedBind,
  ctx: BuildContext,
  c: Collector,
  mcpKeys: Set<string>,
  deps: BuildDeps,
): Promise<RuntimeBind> {
  const listeners: RuntimeListener[] = [];
  const tls: { hostname: string; cert: string; key: string }[] = [];
  for (const l of bind.listeners) {
    const routes: RuntimeRoute[] = [];
    for (const r of l.routes) routes.push(await buildRoute(r, bind, ctx, c, mcpKeys, deps));
    if (l.tls) {
      const t = l.tls;
      const pem = await c.run(() => ({
        cert: ctx.readFile(t.certFile, [...l.at, 'tls', 'cert']),
        key: ctx.readFile(t.keyFile, [...l.at, 'tls', 'key']),
      }));
      if (pem) tls.push({ hostname: l.hostname, ...pem });
    }
    listeners.push({ key: l.key, name: l.name, hostname: l.hostname, routes, config: l });
  }
  const https = bind.listeners.some((l) => l.protocol === 'HTTPS');
  if (https && bind.listeners.some((l) => l.protocol !== 'HTTPS')) {
    c.errors.push(ctx.error(bind.at, 'all listeners of one bind must use the same protocol (HTTP or HTTPS)'));
  }
  return {
    key: bind.key,
    port: bind.port,
    address: bind.address,
    protocol: https ? 'HTTPS' : 'HTTP',
    tls,
    listeners,
    config: bind,
  };
}

/** Thrown when compiling failed; carries every underlying (located) error. */
export class BuildError extends Error {
  readonly errors: readonly unknown[];
  constructor(errors: readonly unknown[]) {
    super(errors.map((e) => (e instanceof Error ? e.message : String(e))).join('\n'));
    this.name = 'BuildError';
    this.errors = errors;
  }
}

export async function buildSnapshot(
  input: BuildInput,
  generation: number,
  deps: BuildDeps = {},
): Promise<Snapshot> {
  const c = new Collector();
  const mcpKeys = new Set<string>();
  const binds: RuntimeBind[] = [];
  for (const b of input.config.binds) binds.push(await buildBind(b, input.build, c, mcpKeys, deps));
  if (c.errors.length) {
    for (const close of c.closers) close();
    throw new BuildError(c.errors);
  }
  let closed = false;
  return Object.freeze({
    generation,
    config: input.config,
    binds,
    dependencies: [...input.build.dependencies],
    warnings: [...input.build.warnings],
    mcpBackendKeys: mcpKeys,
    close() {
      if (closed) return;
      closed = true;
      for (const close of c.closers) close();
    },
  });
}
