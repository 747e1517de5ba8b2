/**
 * `tcpRoutes` of TCP / TLS listeners: names and keys like HTTP routes, default weight 1, and the
 * listener checks agentgateway makes — TCP/TLS listeners take `tcpRoutes` only, HTTP/HTTPS ones
 * `routes` only; `tls` on a TLS listener means termination, without it passthrough routed by SNI;
 * a TCP listener has no `tls`.
 */
import type { ListenerConfig } from './schema/index.js';
import type { ConfigPath, NormalizedTcpRoute } from './types.js';

type Report = (at: ConfigPath, message: string) => void;

export function normalizeTcpRoutes(
  l: ListenerConfig,
  protocol: string,
  listenerKey: string,
  at: ConfigPath,
  report: Report,
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
    const name = r.name ?? `route${k}`;
    const key = `${listenerKey}/${name}/${r.ruleName ?? 'default'}`;
    const first = seen.get(key);
    if (first !== undefined)
      report([...at, 'tcpRoutes', k, 'name'], `duplicate route "${key}" (also tcpRoutes[${first}])`);
    else seen.set(key, k);
    if (r.hostnames?.length && protocol === 'TCP')
      report(
        [...at, 'tcpRoutes', k, 'hostnames'],
        'hostnames need protocol TLS (SNI); a TCP listener cannot see them',
      );
    return {
      key,
      name,
      hostnames: (r.hostnames ?? []).map((h) => h.toLowerCase()),
      backends: r.backends.map((b) => ({ host: b.host, weight: b.weight ?? 1 })),
      at: [...at, 'tcpRoutes', k],
    };
  });
}
