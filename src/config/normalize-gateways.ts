/**
 * agentgateway's current format → the same binds/listeners/routes as the `binds:` format: each named
 * gateway is one bind on its port with one listener (named after the gateway) or the listeners it
 * lists; a top-level route attaches to the gateways it names (`default` when it names none and that
 * gateway exists), by gateway name (all its listeners) or `gateway/listener`. Gateway and listener
 * policies apply to every attached route (normalize-policies.ts). Top-level `tcpRoutes:` attach the
 * same way to TCP/TLS gateways.
 */
import type { PolicyLayer } from './normalize-policies.js';
import { inlinePolicies } from './normalize-policies.js';
import { normalizeMcpBackend } from './normalize-backend.js';
import { defaultMatch, normalizeRoute, resolveOrCollect } from './normalize-route.js';
import type { Scope } from './normalize-route.js';
import type { GatewayConfig, GatewayListenerConfig, RootConfig } from './schema/index.js';
import { normalizeTcpRoute } from './normalize-tcp.js';
import type {
  ConfigPath,
  NormalizedBind,
  NormalizedListener,
  NormalizedRoute,
  NormalizedTcpRoute,
} from './types.js';

const DEFAULT_GATEWAY = 'default';

interface MutableListener extends NormalizedListener {
  readonly routes: NormalizedRoute[];
  readonly tcpRoutes: NormalizedTcpRoute[];
  readonly layers: readonly PolicyLayer[];
}

export interface GatewaysResult {
  readonly binds: NormalizedBind[];
  /** The top-level `mcp:` was attached to gateways (so it gets no port of its own). */
  readonly tookMcp: boolean;
  readonly usedBackends: boolean;
}

export function normalizeGateways(
  raw: RootConfig,
  scope: Scope,
  claimPort: (port: number, at: ConfigPath, owner: string) => void,
): GatewaysResult {
  const binds: (NormalizedBind & { listeners: MutableListener[] })[] = [];
  const refs = new Map<string, MutableListener[]>();
  for (const [gname, g] of Object.entries(raw.gateways ?? {})) {
    const at: ConfigPath = ['gateways', gname];
    claimPort(g.port, [...at, 'port'], `gateway "${gname}"`);
    const gatewayLayer: PolicyLayer[] = [{ policies: inlinePolicies(g), at, what: `gateway "${gname}"` }];
    const listeners: MutableListener[] = [];
    if (!g.listeners || g.listeners.length === 0) {
      listeners.push(listener(g, gname, gname, at, [], scope, gatewayLayer));
    } else {
      g.listeners.forEach((l, j) => {
        const name = l.name ?? `listener${j}`;
        const lat = [...at, 'listeners', j];
        const layers = [{ policies: inlinePolicies(l), at: lat, what: `listener "${gname}/${name}"` }];
        const made = listener(l, name, gname, lat, layers, scope, gatewayLayer);
        refs.set(`${gname}/${name}`, [made]);
        listeners.push(made);
      });
    }
    refs.set(gname, listeners);
    binds.push({ key: `bind/${g.port}`, port: g.port, address: scope.defaultAddress, listeners, at });
  }

  let usedBackends = false;
  (raw.routes ?? []).forEach((r, i) => {
    const at: ConfigPath = ['routes', i];
    if (r.backends?.some((b) => 'backend' in b)) usedBackends = true;
    for (const l of attach(r.gateways, [...at, 'gateways'], at, refs, scope, raw)) {
      if (isTcp(l)) {
        scope.report(at, `gateway listener "${l.key}" is ${l.protocol}: it takes tcpRoutes, not routes`);
        continue;
      }
      const { gateways: _g, namespace: _n, ...route } = r;
      l.routes.push(normalizeRoute(route, i, l.key, at, scope, l.layers));
    }
  });

  (raw.tcpRoutes ?? []).forEach((r, i) => {
    const at: ConfigPath = ['tcpRoutes', i];
    for (const l of attach(r.gateways, [...at, 'gateways'], at, refs, scope, raw)) {
      if (!isTcp(l)) {
        scope.report(at, `gateway listener "${l.key}" is ${l.protocol}: tcpRoutes need protocol TCP or TLS`);
        continue;
      }
      l.tcpRoutes.push(normalizeTcpRoute(r, i, l.protocol, l.key, at, (w, m) => scope.ctx.warn(w, m)));
    }
  });

  let tookMcp = false;
  const mcp = raw.mcp;
  if (mcp && (mcp.gateways !== undefined || (mcp.port === undefined && refs.has(DEFAULT_GATEWAY)))) {
    tookMcp = true;
    const at: ConfigPath = ['mcp'];
    for (const l of attach(mcp.gateways, [...at, 'gateways'], at, refs, scope, raw)) {
      if (isTcp(l)) {
        scope.report(at, `gateway listener "${l.key}" is ${l.protocol}: it takes tcpRoutes, not mcp`);
        continue;
      }
      const { gateways: _g, port: _p, policies, ...backend } = mcp;
      const merged = normalizeRoute({ name: 'mcp', policies }, 0, l.key, at, scope, l.layers);
      const b = normalizeMcpBackend(backend, `${l.key}/mcp`, 1, at, at, scope);
      l.routes.push({ ...merged, matches: [defaultMatch()], backends: [b] });
    }
  }

  for (const b of binds) {
    for (const l of b.listeners) {
      const seen = new Set<string>();
      for (const r of [...l.routes, ...l.tcpRoutes]) {
        if (seen.has(r.key)) scope.report([...r.at, 'name'], `duplicate route "${r.key}"`);
        seen.add(r.key);
      }
      if (isTcp(l) && l.tcpRoutes.length === 0)
        scope.ctx.warn(l.at, 'no tcpRoute is attached to this gateway: every connection is closed');
      else if (!isTcp(l) && l.routes.length === 0)
        scope.ctx.warn(l.at, 'no route is attached to this gateway: every request gets 404 route not found');
    }
  }
  // `layers` only served attaching routes; the normalized listener is the plain shape.
  const plain = binds.map((b) => ({
    ...b,
    listeners: (b.listeners as MutableListener[]).map(
      ({ layers: _layers, tcpRoutes, ...l }) => (isTcp(l) ? { ...l, tcpRoutes } : l) as NormalizedListener,
    ),
  }));
  return { binds: plain, tookMcp, usedBackends };
}

function listener(
  l: GatewayConfig | GatewayListenerConfig,
  name: string,
  gatewayName: string,
  at: ConfigPath,
  own: readonly PolicyLayer[],
  scope: Scope,
  gatewayLayer: readonly PolicyLayer[],
): MutableListener {
  const protocol = l.protocol ?? (l.tls ? 'HTTPS' : 'HTTP');
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
  return {
    key: `${name}/${gatewayName}`,
    name,
    gatewayName,
    hostname: 'hostname' in l && l.hostname !== undefined && l.hostname !== '*' ? l.hostname : '',
    protocol,
    tls,
    routes: [],
    tcpRoutes: [],
    at,
    layers: [...own, ...gatewayLayer].filter((x) => x.policies !== undefined),
  };
}

const isTcp = (l: { protocol: string }): boolean => l.protocol === 'TCP' || l.protocol === 'TLS';

/** The listeners a route (or the top-level `mcp:`) attaches to. */
function attach(
  given: string | readonly string[] | undefined,
  at: ConfigPath,
  routeAt: ConfigPath,
  refs: ReadonlyMap<string, MutableListener[]>,
  scope: Scope,
  raw: RootConfig,
): MutableListener[] {
  const names = given === undefined ? [] : typeof given === 'string' ? [given] : [...given];
  if (names.length === 0) {
    if (refs.has(DEFAULT_GATEWAY)) names.push(DEFAULT_GATEWAY);
    else {
      if (raw.gateways || !raw.binds)
        scope.report(
          routeAt,
          'attached to no gateway: set `gateways:` (there is no gateway named "default")',
        );
      return [];
    }
  }
  const out: MutableListener[] = [];
  names.forEach((n, i) => {
    const found = refs.get(n);
    if (!found) {
      const known = [...refs.keys()];
      scope.report(
        typeof given === 'string' ? at : given && given.length ? [...at, i] : routeAt,
        `unknown gateway "${n}"${known.length ? ` (known: ${known.join(', ')})` : ' (there is no `gateways:` section)'}`,
      );
      return;
    }
    for (const l of found) if (!out.includes(l)) out.push(l);
  });
  return out;
}
