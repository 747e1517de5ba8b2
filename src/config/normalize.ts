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
import { normalizeStatic } from './normalize-static.js';
import { normalizeTcpRoutes } from './normalize-tcp.js';
import type {
  BindConfig,
  ListenerConfig,
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
  PathMatch,
  ValueMatch,
} from './types.js';

export const SHORTHAND_DEFAULT_PORT = 3000;

interface Scope extends BackendScope {
  readonly defaultAddress: string;
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
  const statics = normalizeStatic(raw.config, env, report);
  const scope: Scope = {
    ctx,
    report,
    collect,
    statics,
    defaultAddress: raw.config?.enableIpv6 === false ? '0.0.0.0' : '::',
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
  if (raw.mcp) {
    const port = raw.mcp.port ?? SHORTHAND_DEFAULT_PORT;
    claimPort(port, raw.mcp.port === undefined ? ['mcp'] : ['mcp', 'port'], 'the top-level `mcp:`');
    binds.push(normalizeShorthand(raw.mcp, port, scope));
  }
  if (binds.length === 0)
    ctx.warn([], 'no binds and no `mcp:` section: only the admin, stats and readiness ports listen');
  return { config: { source, static: statics, binds }, issues };
}

function normalizeBind(b: BindConfig, at: ConfigPath, scope: Scope): NormalizedBind {
  const key = `bind/${b.port}`;
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
  const routes = (l.routes ?? []).map((r, k) => normalizeRoute(r, k, key, [...at, 'routes', k], scope));
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

function resolveOrCollect(path: string, at: ConfigPath, scope: Scope): string | undefined {
  try {
    return scope.ctx.resolvePath(path, at);
  } catch (e) {
    if (!isConfigError(e)) throw e;
    scope.collect(e.issues);
    return undefined;
  }
}

/** agentgateway's default when a route has no `matches`: every path. */
const defaultMatch = (): NormalizedMatch => ({
  path: { kind: 'prefix', value: '/' },
  method: undefined,
  headers: [],
  query: [],
});

function normalizeRoute(
  r: RouteConfig,
  k: number,
  listenerKey: string,
  at: ConfigPath,
  scope: Scope,
): NormalizedRoute {
  const name = r.name ?? `route${k}`;
  const ruleName = r.ruleName ?? 'default';
  const key = `${listenerKey}/${name}/${ruleName}`;
  if (r.matches && r.matches.length === 0) {
    scope.report([...at, 'matches'], 'must not be empty (leave `matches` out to match every path)');
  }
  const matches = r.matches?.length
    ? r.matches.map((m, i) => normalizeMatch(m, [...at, 'matches', i], scope))
    : [defaultMatch()];
  const backends: NormalizedBackend[] = [];
  (r.backends ?? []).forEach((b, i) => {
    const bat = [...at, 'backends', i];
    const weight = b.weight ?? 1;
    if ('mcp' in b) {
      if (b.mcp.name !== undefined) {
        scope.ctx.warn(
          [...bat, 'mcp', 'name'],
          'ignored: an mcp backend has no name since agentgateway v0.7',
        );
      }
      backends.push(normalizeMcpBackend(b.mcp, `${key}/backend${i}`, weight, bat, [...bat, 'mcp'], scope));
    } else {
      if (!/^(\[[^\]]+\]|[^:/[\]]+):\d{1,5}$/.test(b.host)) {
        scope.report([...bat, 'host'], `expected "hostname:port", got ${JSON.stringify(b.host)}`);
      }
      backends.push({ kind: 'host', host: b.host, weight, at: bat });
    }
  });
  const policies = r.policies ?? {};
  checkRoutePolicies(policies, backends, at, scope);
  return { key, name, ruleName, hostnames: r.hostnames ?? [], matches, policies, backends, at };
}

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
function normalizeShorthand(raw: NonNullable<RootConfig['mcp']>, port: number, scope: Scope): NormalizedBind {
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
