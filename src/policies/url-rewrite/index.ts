/**
 * `urlRewrite` (Gateway API URLRewrite filter, agentgateway names): rewrite the path (and query kept)
 * and/or the authority before the backend call (pipeline phase 7b). Host backends receive the new path
 * and `Host`; an MCP backend's upstream URLs are fixed by its targets, so only `Host`-sensitive logic
 * and the access log see the change there.
 */
import type { UrlRewriteConfig } from '../../config/schema/traffic.js';
import type { ConfigPath, NormalizedMatch } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { CompiledUrlRewrite } from '../types.js';
import { compileAuthorityRewrite, compilePathRewrite, routePrefixes } from './path.js';

export function compileUrlRewrite(
  cfg: UrlRewriteConfig,
  ctx: BuildContext,
  at: ConfigPath,
  matches: readonly NormalizedMatch[],
): CompiledUrlRewrite {
  const path = compilePathRewrite(cfg.path, routePrefixes(matches));
  const authority = compileAuthorityRewrite(cfg.authority);
  if (!path && !authority) ctx.warn(at, 'urlRewrite changes nothing (no path, authority auto/none)');
  return {
    apply: function urlRewrite(rc) {
      if (path) rc.url.pathname = path(rc.url.pathname);
      if (authority) rc.upstreamHeaders['host'] = authority(rc.request.host);
    },
  };
}
