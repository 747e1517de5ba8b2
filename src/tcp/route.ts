/** TCP route selection: listener by SNI (exact > wildcard > any), route by hostnames, backend by weight. */
import type { NormalizedTcpRoute } from '../config/types.js';
import type { RuntimeBind, RuntimeListener } from '../runtime/snapshot.js';
import { selectListener } from '../runtime/router.js';

function hostMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('*.')) return name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1;
  return pattern === name;
}

export function selectTcpRoute(
  bind: RuntimeBind,
  sni: string,
): { listener: RuntimeListener; route: NormalizedTcpRoute } | undefined {
  const listener = selectListener(bind.listeners, sni);
  if (!listener) return undefined;
  const routes = listener.config.tcpRoutes ?? [];
  const exact = routes.find((r) => r.hostnames.some((h) => h === sni));
  const wild = exact ?? routes.find((r) => r.hostnames.some((h) => hostMatches(h, sni)));
  const route = wild ?? routes.find((r) => r.hostnames.length === 0);
  return route ? { listener, route } : undefined;
}

export function pickBackend(
  route: NormalizedTcpRoute,
  random: () => number = Math.random,
): string | undefined {
  const live = route.backends.filter((b) => b.weight > 0);
  const total = live.reduce((n, b) => n + b.weight, 0);
  let x = random() * total;
  for (const b of live) {
    x -= b.weight;
    if (x < 0) return b.host;
  }
  return live.at(-1)?.host;
}
