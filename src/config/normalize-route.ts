/**
 * One route of either config format → NormalizedRoute: matches, backends (inline or named), policies
 * merged from every level they were written at. Shared by ./normalize.ts (binds) and
 * ./normalize-gateways.ts (gateways/routes).
 */
import { isConfigError } from './errors.js';
import { normalizeMcpBackend } from './normalize-backend.js';
import type { BackendScope } from './normalize-backend.js';
import { mergePolicies } from './normalize-policies.js';
import { resolveServiceRefs } from './normalize-service-ref.js';
import type { PolicyLayer } from './normalize-policies.js';
import type {
  NamedBackendConfig,
  RouteConfig,
  RouteMatchConfig,
  RoutePoliciesConfig,
} from './schema/index.js';
import type {
  ConfigPath,
  NormalizedBackend,
  NormalizedMatch,
  NormalizedRoute,
  PathMatch,
  ValueMatch,
} from './types.js';

export interface Scope extends BackendScope {
  readonly defaultAddress: string;
  /** Top-level named backends (`backends: [{name, ...}]`), by name. */
  readonly namedBackends: ReadonlyMap<
    string,
    { readonly backend: NamedBackendConfig; readonly at: ConfigPath }
  >;
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
  const policies = resolveServiceRefs(
    merged.policies,
    [...at, 'policies'],
    scope.namedBackends,
    scope.report,
  );
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
