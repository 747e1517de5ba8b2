/**
 * NormalizedConfig → Snapshot: compiles every policy (CEL, JWKS, CORS strings…) and every route matcher
 * at load. Nothing here runs per request. All errors of all policies are collected, so one
 * reload reports every problem at once.
 */
import { createHash } from 'node:crypto';
import type { ConfigPath, NormalizedBind, NormalizedMcpBackend, NormalizedRoute } from '../config/types.js';
import type { RoutePoliciesConfig } from '../config/schema/index.js';
import { isLoopback } from '../net/loopback.js';
import { ALLOW_ALL } from '../contracts/authorization.js';
import type { RuntimeMcpBackend, TargetTransport } from '../mcp/backend.js';
import { compileMcpAuthorization } from '../policies/authorization/mcp.js';
import { warnPrefixedNames } from '../policies/authorization/prefixed-names.js';
import { compileHttpAuthorization } from '../policies/authorization/http.js';
import { compileNetworkAuthorization } from '../policies/authorization/network.js';
import { denyRuleWarner } from '../policies/authorization/options.js';
import { compileBackendAuth } from '../policies/backend-auth/index.js';
import { compileBackendTls } from '../policies/backend-tls/index.js';
import { compileCors } from '../policies/cors/index.js';
import { compileCsrf } from '../policies/csrf/index.js';
import { compileDirectResponse } from '../policies/direct-response/index.js';
import { compileDelay } from '../policies/delay/index.js';
import { compileHeaderModifier } from '../policies/headers/index.js';
import { compileJwtAuth } from '../policies/jwt/index.js';
import { compileMcpAuthentication } from '../policies/mcp-authentication/index.js';
import { compileLocalRateLimit } from '../policies/rate-limit/index.js';
import { withoutTokenBuckets } from '../policies/rate-limit/token-buckets.js';
import { compileTimeout } from '../policies/timeout/index.js';
import type { CompiledRoutePolicies, TrafficTelemetry } from '../policies/types.js';
import { compileTrafficPolicies } from './build-traffic.js';
import { MirrorBudget } from '../policies/mirror/budget.js';
import type { NormalizedLimits } from '../config/types.js';
import type { AuthnLogger } from '../policies/jwt/deps.js';
import { compileRouteMatcher } from './router.js';
import type { BuildContext } from '../contracts/build-context.js';
import type { SharedState } from '../redis/shared-state.js';
import { formatPath } from '../config/path.js';
import { compileMcpBackend } from './mcp-backend.js';
import { weightedPicker } from './weighted.js';
import type { RuntimeBackend, RuntimeBind, RuntimeListener, RuntimeRoute, Snapshot } from './snapshot.js';
import type { NormalizedConfig } from '../config/types.js';
import type { RemoteJwksStatus } from '../policies/jwt/jwks-status.js';

/** Run-time collaborators handed to policies that need them (logging of rejections, JWKS refresh). */
export interface BuildDeps {
  readonly logger?: AuthnLogger;
  readonly onJwksRefresh?: (ok: boolean) => void;
  /** Redis-held state shared by every replica (rate-limit buckets); absent: buckets per process. */
  readonly sharedState?: SharedState;
  /** Counters of the traffic policies (extAuthz, remoteRateLimit, mirror, …). */
  readonly traffic?: TrafficTelemetry;
}

/** What the traffic policies need from the whole build (src/runtime/build-traffic.ts). */
interface InternalDeps extends BuildDeps {
  readonly limits?: NormalizedLimits;
  /** Every remote JWKS of this build (Snapshot.jwks). */
  readonly jwks?: RemoteJwksStatus[];
  readonly mirrorBudget?: MirrorBudget;
}

export interface BuildInput {
  readonly config: NormalizedConfig;
  readonly build: BuildContext & { readonly dependencies: Set<string>; readonly warnings: string[] };
}

/** Errors collected while compiling; thrown together at the end. */
export class Collector {
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
  deps: InternalDeps,
  route?: NormalizedRoute,
  policyAt?: Readonly<Record<string, ConfigPath>>,
): Promise<CompiledRoutePolicies> {
  const authnDeps = {
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.onJwksRefresh ? { onJwksRefresh: deps.onJwksRefresh } : {}),
    onRemoteJwks: (s: RemoteJwksStatus) => deps.jwks?.push(s),
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
  const rateLimit = p.localRateLimit
    ? await c.run(() => withoutTokenBuckets(p.localRateLimit!, ctx, pat('localRateLimit')))
    : undefined;
  if (rateLimit)
    out.localRateLimit = await c.run(() =>
      compileLocalRateLimit(
        rateLimit,
        ctx,
        pat('localRateLimit'),
        deps.sharedState ? { shared: deps.sharedState, name: formatPath(pat('localRateLimit')) } : {},
      ),
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
  if (p.delay) out.delay = await c.run(() => compileDelay(p.delay!, ctx, pat('delay')));
  if (p.backendAuth)
    out.backendAuth = await c.run(() => compileBackendAuth(p.backendAuth!, ctx, pat('backendAuth')));
  if (p.backendTLS)
    out.backendTls = await c.run(() => compileBackendTls(p.backendTLS!, ctx, pat('backendTLS')));
  if (route) Object.assign(out, await compileTrafficPolicies(p, route, ctx, c, deps));
  return out;
}

async function buildRoute(
  route: NormalizedRoute,
  bind: NormalizedBind,
  ctx: BuildContext,
  c: Collector,
  mcpKeys: Set<string>,
  deps: InternalDeps,
): Promise<RuntimeRoute> {
  const policies = await compilePolicies(route.policies, route.at, ctx, c, deps, route, route.policyAt);
  const kind = route.backends[0]?.kind;
  const weighted: { weight: number; value: RuntimeBackend }[] = [];
  for (const b of route.backends) {
    if (b.kind !== kind) {
      ctx.warn(b.at, `a ${b.kind} backend on a route whose first backend is ${kind}: ignored`);
      continue;
    }
    if (b.kind === 'mcp') {
      const targetPolicies = await compileTargetPolicies(b, ctx, c);
      const tlsKeys = [
        policies.backendTls?.key,
        ...[...targetPolicies.values()].map((t) => t.backendTls?.key),
      ];
      const mcp: RuntimeMcpBackend = compileMcpBackend(b, {
        key: mcpBackendKey(route, b, tlsKeys.some(Boolean) ? tlsKeys.join('|') : undefined),
        targetPolicies,
        authorizer: policies.mcpAuthorization ?? ALLOW_ALL,
        backendAuth: policies.backendAuth,
        backendTls: policies.backendTls,
        dnsRebindingProtection: b.dnsRebindingProtection ?? isLoopback(bind.address),
        retry: policies.retry,
      });
      if (policies.backendTls) warnPlainHttpTargets(b, ctx);
      const rules = route.policies.mcpAuthorization?.rules;
      if (rules) warnPrefixedNames(rules, b, ctx, [...route.at, 'policies', 'mcpAuthorization']);
      mcpKeys.add(mcp.key);
      weighted.push({ weight: b.weight, value: { kind: 'mcp', mcp } });
    } else weighted.push({ weight: b.weight, value: { kind: 'host', host: b.host } });
  }
  const backends = weighted.map((w) => w.value);
  const pick = weightedPicker(weighted);
  const byKey = new Map(backends.flatMap((b) => (b.kind === 'mcp' ? [[b.mcp.key, b] as const] : [])));
  return {
    key: route.key,
    name: route.name,
    hostnames: route.hostnames,
    matcher: compileRouteMatcher(route.matches),
    policies,
    backend: backends[0],
    backends,
    pickBackend: backends.length <= 1 ? () => pick() : (sticky) => (sticky && byKey.get(sticky)) || pick(),
    config: route,
  };
}

/** `targets[].policies`: a target's own backendAuth (a fixed key) and backendTLS. */
async function compileTargetPolicies(
  b: NormalizedMcpBackend,
  ctx: BuildContext,
  c: Collector,
): Promise<Map<string, TargetTransport>> {
  const out = new Map<string, TargetTransport>();
  for (const t of b.targets) {
    const p = t.kind === 'stdio' ? undefined : t.policies;
    if (!p) continue;
    const backendAuth = p.backendAuth
      ? await c.run(() => {
          const auth = compileBackendAuth(p.backendAuth!, ctx, [...p.at, 'backendAuth']);
          if (!auth.fixed)
            throw ctx.error(
              [...p.at, 'backendAuth', 'passthrough'],
              'not supported yet: passthrough on a target (set it on the route or the backend)',
            );
          return auth;
        })
      : undefined;
    const backendTls = p.backendTLS
      ? await c.run(() => compileBackendTls(p.backendTLS!, ctx, [...p.at, 'backendTLS']))
      : undefined;
    out.set(t.name, { backendAuth, backendTls });
  }
  return out;
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
  deps: InternalDeps,
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
  const protocol = bind.listeners[0]?.protocol ?? 'HTTP';
  if (bind.listeners.some((l) => l.protocol !== protocol)) {
    c.errors.push(ctx.error(bind.at, 'all listeners of one bind must use the same protocol'));
  }
  return {
    key: bind.key,
    port: bind.port,
    address: bind.address,
    protocol,
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
  const limits = input.config.static.limits;
  const jwks: RemoteJwksStatus[] = [];
  const all: InternalDeps = {
    ...deps,
    jwks,
    limits,
    mirrorBudget: new MirrorBudget(limits.mirrorRequestsInFlight, limits.mirrorBytesInFlight),
  };
  for (const b of input.config.binds) binds.push(await buildBind(b, input.build, c, mcpKeys, all));
  const net = input.config.networkAuthorization;
  const networkAuthorization = net
    ? await c.run(() => compileNetworkAuthorization(net, input.build, net.at))
    : undefined;
  if (c.errors.length) {
    for (const close of c.closers) close();
    throw new BuildError(c.errors);
  }
  let closed = false;
  return Object.freeze({
    generation,
    config: input.config,
    binds,
    networkAuthorization,
    dependencies: [...input.build.dependencies],
    warnings: [...input.build.warnings],
    mcpBackendKeys: mcpKeys,
    jwks,
    close() {
      if (closed) return;
      closed = true;
      for (const close of c.closers) close();
    },
  });
}
