/**
 * `tcpRoutes` of TCP / TLS listeners: names and keys like HTTP routes, default weight 1, and the
 * listener checks agentgateway makes — TCP/TLS listeners take `tcpRoutes` only, HTTP/HTTPS ones
 * `routes` only; `tls` on a TLS listener means termination, without it passthrough routed by SNI;
 * a TCP listener has no `tls`, and `hostnames` on it never match (a warning, as agentgateway loads it).
 */
import type { ListenerConfig } from './schema/index.js';
import type { TcpRouteConfig } from './schema/tcp-routes.js';
import type { ConfigPath, NormalizedTcpRoute } from './types.js';

type Report = (at: ConfigPath, message: string) => void;

export function normalizeTcpRoutes(
  l: ListenerConfig,
  protocol: string,
  listenerKey: string,
  at: ConfigPath,
  report: Report,
  warn: Report,
): NormalizedTcpRoute[] {
  const tcp = protocol === 'TCP' || protocol === 'TLS';
  if (!tcp) {
    if (l.tcpRoutes)
      report([...at, 'tcpRoutes'], `tcpRoutes need protocol TCP or TLS (this listener is ${protocol})`);
    return [];
  }
  if (l.routes?.length) report([...at, 'routes'], `a ${protocol} listener takes tcpRoutes, not routes`);
  if (!l.tcpRoutes?.length) report(at, `a ${protocol} listener needs tcpRoutes`);
  const seen = new Map<string, number>();
  return (l.tcpRoutes ?? []).map((r, k) => {
    const route = normalizeTcpRoute(r, k, protocol, listenerKey, [...at, 'tcpRoutes', k], warn);
    const first = seen.get(route.key);
    if (first !== undefined)
      report([...at, 'tcpRoutes', k, 'name'], `duplicate route "${route.key}" (also tcpRoutes[${first}])`);
    else seen.set(route.key, k);
    return route;
  });
}

/** One tcpRoute on a TCP/TLS listener (of either format): name, key, default weight 1. */
export function normalizeTcpRoute(
  r: TcpRouteConfig,
  k: number,
  protocol: string,
  listenerKey: string,
  at: ConfigPath,
  warn: Report,
): NormalizedTcpRoute {
  const name = r.name ?? `route${k}`;
  const key = `${listenerKey}/${name}/${r.ruleName ?? 'default'}`;
  // agentgateway accepts it; such a route is simply never selected (a TCP listener sees no SNI).
  if (r.hostnames?.length && protocol === 'TCP')
    warn(
      [...at, 'hostnames'],
      'hostnames need protocol TLS (SNI): on a TCP listener this route never receives a connection',
    );
  return {
    key,
    name,
    hostnames: (r.hostnames ?? []).map((h) => h.toLowerCase()),
    backends: r.backends.map((b) => ({ host: b.host, weight: b.weight ?? 1 })),
    at,
  };
}
