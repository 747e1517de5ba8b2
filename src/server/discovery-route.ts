/**
 * Route selection with RFC 9728 discovery: a 401 from a route with `mcpAuthentication` advertises
 * `/.well-known/oauth-protected-resource<route path>`, a URL the route's own matches (say a `/mcp`
 * prefix) never cover. A discovery URL therefore goes to the route serving the resource it names, when
 * that route has `mcpAuthentication`; a route that matches the well-known URL itself and has
 * `mcpAuthentication` (agentgateway's examples list them as exact matches) still wins.
 */
import { discoveryResourcePath } from '../policies/mcp-authentication/metadata.js';
import type { RuntimeRoute } from '../runtime/snapshot.js';
import { selectRoute, type RequestShape } from '../runtime/router.js';

export function selectRouteWithDiscovery(
  routes: readonly RuntimeRoute[],
  r: RequestShape,
): RuntimeRoute | undefined {
  const route = selectRoute(routes, r);
  if (route?.policies.mcpAuthentication) return route;
  const resource = discoveryResourcePath(r.path);
  if (resource === undefined) return route;
  const owner = selectRoute(routes, { ...r, path: resource });
  return owner?.policies.mcpAuthentication ? owner : route;
}
