/**
 * Raw (schema-valid) config → NormalizedConfig: agentgateway's defaults and generated names
 *, the `mcp:` shorthand expanded, and the checks the schema cannot express
 * (unique ports and names, HTTPS needs tls, MCP policies need exactly one MCP backend, regexes compile).
 * Problems are collected, never thrown one at a time: the caller reports them all.
 */
import type { ConfigBuildContext } from './build-context.js';
import type { ConfigIssue } from './errors.js';
import { normalizeMcpBackend } from './normalize-backend.js';
import { normalizeGateways } from './normalize-gateways.js';
import { defaultMatch, normalizeRoute, resolveOrCollect } from './normalize-route.js';
import type { Scope } from './normalize-route.js';
export type { Scope } from './normalize-route.js';
import type { PolicyLayer } from './normalize-policies.js';
import { normalizeStatic } from './normalize-static.js';
import { normalizeTcpRoutes } from './normalize-tcp.js';
import { withFrontendTracing } from './normalize-tracing.js';
import type { BindConfig, ListenerConfig, NamedBackendConfig, RootConfig } from './schema/index.js';
import type {
  ConfigPath,
  ConfigSource,
  NormalizedBind,
  NormalizedConfig,
  NormalizedListener,
  NormalizedRoute,
  NormalizedStatic,
} from './types.js';

export const SHORTHAND_DEFAULT_PORT = 3000;

export function normalize(
  raw: RootConfig,
  source: ConfigSource,
  env: Readonly<Record<string, string | undefined>>,
  ctx: ConfigBuildContext,
): { config: NormalizedConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const report = (at: ConfigPath, message: string): void => void issues.push(ctx.issue(at, message));
  const collect = (list: readonly ConfigIssue[]): void => void issues.push(...list);
  const statics0 = withFrontendLogging(
    normalizeStatic(raw.config, env, report, (at, m) => ctx.warn(at, m)),
    raw,
  );
  const statics = {
    ...statics0,
    tracing: withFrontendTracing(statics0.tracing, raw, report, (at, m) => ctx.warn(at, m)),
  };
  const namedBackends = new Map<string, { backend: NamedBackendConfig; at: ConfigPath }>();
  (raw.backends ?? []).forEach((b, i) => {
    if (namedBackends.has(b.name)) report(['backends', i, 'name'], `duplicate backend name "${b.name}"`);
    else namedBackends.set(b.name, { backend: b, at: ['backends', i] });
  });
  const scope: Scope = {
    ctx,
    report,
    collect,
    statics,
    defaultAddress: raw.config?.enableIpv6 === false ? '0.0.0.0' : '::',
    namedBackends,
  };

  const binds: NormalizedBind[] = [];
  const ports = new Map<number, string>();
  const claimPort = (port: number, at: ConfigPath, owner: string): void => {
    const prev = ports.get(port);
    if (prev !== undefined) report(at, `port ${port} is already used by ${prev}`);
    else ports.set(port, owner);
  };
  (raw.binds ?? []).forEach((b, i) => {
    claimPort(b.port, ['binds', i, 'port'], `binds[${i}]`);
    binds.push(normalizeBind(b, ['binds', i], scope));
  });
  const gateways = normalizeGateways(raw, scope, claimPort);
  binds.push(...gateways.binds);
  if (raw.mcp && !gateways.tookMcp) {
    const port = raw.mcp.port ?? SHORTHAND_DEFAULT_PORT;
    claimPort(port, raw.mcp.port === undefined ? ['mcp'] : ['mcp', 'port'], 'the top-level `mcp:`');
    binds.push(normalizeShorthand(raw.mcp, port, scope));
  }
  if (raw.backends?.length && !gateways.usedBackends && !(raw.binds ?? []).length)
    ctx.warn(['backends'], 'no route references these backends (`backends: [{backend: <name>}]`)');
  if (binds.length === 0)
    ctx.warn([], 'no binds and no `mcp:` section: only the admin, stats and readiness ports listen');
  const netAuthz = raw.frontendPolicies?.networkAuthorization;
  const networkAuthorization = netAuthz
    ? { rules: netAuthz.rules, at: ['frontendPolicies', 'networkAuthorization'] as ConfigPath }
    : undefined;
  return {
    config: { source, static: statics, binds, ...(networkAuthorization ? { networkAuthorization } : {}) },
    issues,
  };
}

function normalizeBind(b: BindConfig, at: ConfigPath, scope: Scope): NormalizedBind {
  const key = `bind/${b.port}`;
  if (b.listeners.length === 0)
    scope.ctx.warn([...at, 'listeners'], 'bind has no listeners: every request gets 404 listener not found');
  const listeners = b.listeners.map((l, j) => normalizeListener(l, j, key, [...at, 'listeners', j], scope));
  const keys = new Map<string, number>();
  listeners.forEach((l, j) => {
    const first = keys.get(l.key);
    if (first !== undefined)
      scope.report(
        [...at, 'listeners', j, 'name'],
        `duplicate listener "${l.key}" (also listeners[${first}])`,
      );
    else keys.set(l.key, j);
    if (l.protocol !== listeners[0]!.protocol) {
      scope.report(
        [...at, 'listeners', j, 'protocol'],
        `all listeners of a bind share one server: listeners[0] is ${listeners[0]!.protocol}, this one is ${l.protocol}`,
      );
    }
  });
  return { key, port: b.port, address: b.address ?? scope.defaultAddress, listeners, at };
}

function normalizeListener(
  l: ListenerConfig,
  j: number,
  bindKey: string,
  at: ConfigPath,
  scope: Scope,
): NormalizedListener {
  const name = l.name ?? `listener${j}`;
  const gatewayName = l.gatewayName ?? bindKey;
  const key = `${name}/${gatewayName}`;
  const protocol = l.protocol ?? 'HTTP';
  let tls: NormalizedListener['tls'];
  if (protocol === 'HTTPS' && !l.tls) {
    scope.report(l.protocol ? [...at, 'protocol'] : at, 'protocol HTTPS requires `tls: {cert, key}`');
  } else if ((protocol === 'HTTP' || protocol === 'TCP') && l.tls) {
    scope.report([...at, 'tls'], '`tls` is only used with `protocol: HTTPS` or `TLS`');
  } else if (l.tls) {
    const certFile = resolveOrCollect(l.tls.cert, [...at, 'tls', 'cert'], scope);
    const keyFile = resolveOrCollect(l.tls.key, [...at, 'tls', 'key'], scope);
    tls = { certFile: certFile ?? l.tls.cert, keyFile: keyFile ?? l.tls.key };
  }
  const tcpRoutes = normalizeTcpRoutes(l, protocol, key, at, scope.report, (w, m) => scope.ctx.warn(w, m));
  if ((protocol === 'HTTP' || protocol === 'HTTPS') && (!l.routes || l.routes.length === 0))
    scope.ctx.warn(at, 'listener has no routes: every request gets 404 route not found');
  const layers: PolicyLayer[] = l.policies
    ? [{ policies: l.policies, at: [...at, 'policies'], what: `listener "${name}"` }]
    : [];
  const routes = (l.routes ?? []).map((r, k) =>
    normalizeRoute(r, k, key, [...at, 'routes', k], scope, layers),
  );
  const seen = new Map<string, number>();
  routes.forEach((r, k) => {
    const first = seen.get(r.key);
    if (first !== undefined)
      scope.report([...at, 'routes', k, 'name'], `duplicate route "${r.key}" (also routes[${first}])`);
    else seen.set(r.key, k);
  });
  const tcp = protocol === 'TCP' || protocol === 'TLS' ? { tcpRoutes } : {};
  return { key, name, gatewayName, hostname: l.hostname ?? '', protocol, tls, routes, ...tcp, at };
}

/** The top-level `mcp:` format as one bind, listener `mcp`, route `mcp:default`. */
export function normalizeShorthand(
  raw: NonNullable<RootConfig['mcp']>,
  port: number,
  scope: Scope,
): NormalizedBind {
  const at: ConfigPath = ['mcp'];
  const key = `bind/${port}`;
  const backend = normalizeMcpBackend(raw, 'mcp', 1, at, at, scope);
  const policies = raw.policies ?? {};
  const route: NormalizedRoute = {
    key: 'mcp:default',
    name: 'default',
    ruleName: 'default',
    hostnames: [],
    matches: [defaultMatch()],
    policies,
    backends: [backend],
    at,
  };
  const listener: NormalizedListener = {
    key: `mcp/${key}`,
    name: 'mcp',
    gatewayName: key,
    // agentgateway writes hostname `*`; empty means the same here (any host) without a wildcard match.
    hostname: '',
    protocol: 'HTTP',
    tls: undefined,
    routes: [route],
    at,
  };
  return { key, port, address: scope.defaultAddress, listeners: [listener], at };
}

/** `frontendPolicies.accessLog` (or `.logging`): the access log's filter and fields, as `config.logging`. */
function withFrontendLogging(statics: NormalizedStatic, raw: RootConfig): NormalizedStatic {
  const log = raw.frontendPolicies?.accessLog ?? raw.frontendPolicies?.logging;
  if (!log) return statics;
  return {
    ...statics,
    logging: {
      ...statics.logging,
      filter: log.filter ?? statics.logging.filter,
      fieldsAdd: { ...statics.logging.fieldsAdd, ...(log.add ?? {}) },
      fieldsRemove: [...statics.logging.fieldsRemove, ...(log.remove ?? [])],
    },
  };
}
