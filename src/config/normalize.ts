/**
 * Raw (schema-valid) config → NormalizedConfig: agentgateway's defaults and generated names
 * (reference §2.1), the `mcp:` shorthand expanded (§2.5), and the checks the schema cannot express
 * (unique ports and names, HTTPS needs tls, MCP policies need exactly one MCP backend, regexes compile).
 * Problems are collected, never thrown one at a time: the caller reports them all.
 */
import type { ConfigBuildContext } from './build-context.js';
import { isConfigError } from './errors.js';
import type { ConfigIssue } from './errors.js';
import { normalizeMcpBackend } from './normalize-backend.js';
import type { BackendScope } from './normalize-backend.js';
import { normalizeGateways } from './normalize-gateways.js';
import { mergePolicies } from './normalize-policies.js';
import type { PolicyLayer } from './normalize-policies.js';
import { normalizeStatic } from './normalize-static.js';
import { normalizeTcpRoutes } from './normalize-tcp.js';
import type {
  BindConfig,
  ListenerConfig,
  NamedBackendConfig,
  RootConfig,
  RouteConfig,
  RouteMatchConfig,
  RoutePoliciesConfig,
} from './schema/index.js';
import type {
  ConfigPath,
  ConfigSource,
  NormalizedBackend,
  NormalizedBind,
  NormalizedConfig,
  NormalizedListener,
  NormalizedMatch,
  NormalizedRoute,
  NormalizedStatic,
  PathMatch,
  ValueMatch,
} from './types.js';

export const SHORTHAND_DEFAULT_PORT = 3000;

export interface Scope extends BackendScope {
  readonly defaultAddress: string;
  /** Top-level named backends (`backends: [{name, ...}]`), by name. */
  readonly namedBackends: ReadonlyMap<
    string,
    { readonly backend: NamedBackendConfig; readonly at: ConfigPath }
  >;
}

export function normalize(
  raw: RootConfig,
  source: ConfigSource,
  env: Readonly<Record<string, string | undefined>>,
  ctx: ConfigBuildContext,
): { config: NormalizedConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const report = (at: ConfigPath, message: string): void => void issues.push(ctx.issue(at, message));
  const collect = (list: readonly ConfigIssue[]): void => void issues.push(...list);
  const statics = withFrontendLogging(
    normalizeStatic(raw.config, env, report, (at, m) => ctx.warn(at, m)),
    raw,
  );
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
  return { config: { source, static: statics, binds }, issues };
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
  const tcpRoutes = normalizeTcpRoutes(l, protocol, key, at, scope.report);
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

export function resolveOrCollect(path: string, at: ConfigPath, scope: Scope): string | undefined {
  try {
    return scope.ctx.resolvePath(path, at);
  } catch (e) {
    if (!isConfigError(e)) throw e;
    scope.collect(e.issues);
    return undefined;
  }
}

/** agentgateway's default when a route has no `matches`: every path. */
export const defaultMatch = (): NormalizedMatch => ({
  path: { kind: 'prefix', value: '/' },
  method: undefined,
  headers: [],
  query: [],
});

export function normalizeRoute(
  r: RouteConfig,
  k: number,
  listenerKey: string,
  at: ConfigPath,
  scope: Scope,
  inherited: readonly PolicyLayer[] = [],
): NormalizedRoute {
  const name = r.name ?? `route${k}`;
  const ruleName = r.ruleName ?? 'default';
  const key = `${listenerKey}/${name}/${ruleName}`;
  if (r.namespace !== undefined)
    scope.ctx.warn([...at, 'namespace'], 'ignored: a namespace only names Kubernetes routes');
  if (r.matches && r.matches.length === 0) {
    scope.report([...at, 'matches'], 'must not be empty (leave `matches` out to match every path)');
  }
  const matches = r.matches?.length
    ? r.matches.map((m, i) => normalizeMatch(m, [...at, 'matches', i], scope))
    : [defaultMatch()];
  const backends: NormalizedBackend[] = [];
  const layers: PolicyLayer[] = [{ policies: r.policies, at: [...at, 'policies'], what: 'the route' }];
  (r.backends ?? []).forEach((b, i) => {
    const bat = [...at, 'backends', i];
    const weight = b.weight ?? 1;
    if (b.policies) layers.push({ policies: b.policies, at: [...bat, 'policies'], what: `backends[${i}]` });
    let def: RouteBackendDef = b;
    let defAt: ConfigPath = bat;
    if ('backend' in b) {
      const named = scope.namedBackends.get(b.backend);
      if (!named) {
        const known = [...scope.namedBackends.keys()];
        scope.report(
          [...bat, 'backend'],
          `unknown backend "${b.backend}"${known.length ? ` (known: ${known.join(', ')})` : ' (there is no top-level `backends:`)'}`,
        );
        return;
      }
      def = named.backend;
      defAt = named.at;
      if (def.policies)
        layers.push({ policies: def.policies, at: [...defAt, 'policies'], what: `backend "${b.backend}"` });
    }
    if ('mcp' in def) {
      if (def.mcp.name !== undefined) {
        scope.ctx.warn(
          [...defAt, 'mcp', 'name'],
          'ignored: an mcp backend has no name since agentgateway v0.7',
        );
      }
      backends.push(
        normalizeMcpBackend(def.mcp, `${key}/backend${i}`, weight, defAt, [...defAt, 'mcp'], scope),
      );
    } else if ('host' in def) {
      if (!/^(\[[^\]]+\]|[^:/[\]]+):\d{1,5}$/.test(def.host)) {
        scope.report([...defAt, 'host'], `expected "hostname:port", got ${JSON.stringify(def.host)}`);
      }
      backends.push({ kind: 'host', host: def.host, weight, at: defAt });
    }
  });
  if (layers.length > 1 && backends.length > 1)
    scope.report(
      [...at, 'backends'],
      'not supported yet: backend `policies` on a route with several backends (they apply to the whole route)',
    );
  const merged = mergePolicies([...layers, ...inherited], [...at, 'policies'], scope.report);
  const policies = merged.policies;
  checkRoutePolicies(policies, backends, at, scope);
  return {
    key,
    name,
    ruleName,
    hostnames: r.hostnames ?? [],
    matches,
    policies,
    backends,
    at,
    ...(merged.policyAt ? { policyAt: merged.policyAt } : {}),
  };
}

type RouteBackendDef = NonNullable<RouteConfig['backends']>[number] | NamedBackendConfig;

function checkRoutePolicies(
  p: RoutePoliciesConfig,
  backends: readonly NormalizedBackend[],
  at: ConfigPath,
  scope: Scope,
): void {
  for (const name of ['mcpAuthorization', 'mcpAuthentication'] as const) {
    if (!p[name]) continue;
    const mcp = backends.filter((b) => b.kind === 'mcp').length;
    if (backends.length !== 1 || mcp !== 1) {
      scope.report(
        [...at, 'policies', name],
        `${name} needs the route to have exactly one backend, an mcp backend (found ${backends.length} backend(s), ${mcp} mcp)`,
      );
    }
  }
  if (backends.length === 0 && !p.directResponse && !p.requestRedirect) {
    scope.ctx.warn(
      at,
      'route has no backends and no directResponse: matching requests get 500 no valid backends',
    );
  }
}

function normalizeMatch(m: RouteMatchConfig, at: ConfigPath, scope: Scope): NormalizedMatch {
  let path: PathMatch = { kind: 'prefix', value: '/' };
  const p = m.path;
  if (p && 'exact' in p) path = { kind: 'exact', value: p.exact };
  else if (p && 'pathPrefix' in p) path = { kind: 'prefix', value: p.pathPrefix };
  else if (p && 'regex' in p) {
    const value = typeof p.regex === 'string' ? p.regex : p.regex[0];
    checkRegex(value, [...at, 'path', 'regex'], scope);
    path = { kind: 'regex', value };
  }
  if (path.kind !== 'regex' && !path.value.startsWith('/')) {
    scope.report(
      [...at, 'path', path.kind === 'exact' ? 'exact' : 'pathPrefix'],
      `must start with "/", got ${JSON.stringify(path.value)}`,
    );
  }
  const values = (list: RouteMatchConfig['headers'], field: 'headers' | 'query', lower: boolean) =>
    (list ?? []).map((h, i) => {
      if ('regex' in h.value) checkRegex(h.value.regex, [...at, field, i, 'value', 'regex'], scope);
      const value: ValueMatch = 'exact' in h.value ? { exact: h.value.exact } : { regex: h.value.regex };
      return { name: lower ? h.name.toLowerCase() : h.name, value };
    });
  return {
    path,
    method: m.method?.toUpperCase(),
    headers: values(m.headers, 'headers', true),
    query: values(m.query, 'query', false),
  };
}

function checkRegex(pattern: string, at: ConfigPath, scope: Scope): void {
  try {
    new RegExp(pattern);
  } catch (e) {
    scope.report(at, `invalid regular expression: ${(e as Error).message}`);
  }
}

/** The top-level `mcp:` format (reference §2.5) as one bind, listener `mcp`, route `mcp:default`. */
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
