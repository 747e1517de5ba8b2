/**
 * `requestRedirect` (Gateway API RequestRedirect filter, agentgateway names): answer with a redirect
 * instead of calling the backend (pipeline phase 7a, before directResponse). The Location keeps what is
 * not configured: scheme, host, port (dropped when the scheme changes without a port, so the new
 * scheme's default applies), path and query. Status 302 unless `status` says otherwise.
 */
import type { RequestRedirectConfig } from '../../config/schema/traffic.js';
import type { ConfigPath, NormalizedMatch } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { CompiledRedirect } from '../types.js';
import {
  compileAuthorityRewrite,
  compilePathRewrite,
  routePrefixes,
  splitAuthority,
} from '../url-rewrite/path.js';

export function compileRedirect(
  cfg: RequestRedirectConfig,
  _ctx: BuildContext,
  _at: ConfigPath,
  matches: readonly NormalizedMatch[],
): CompiledRedirect {
  const path = compilePathRewrite(cfg.path, routePrefixes(matches));
  const authority = compileAuthorityRewrite(cfg.authority);
  const status = cfg.status ?? 302;
  const portSet =
    typeof cfg.authority === 'object' &&
    cfg.authority !== null &&
    ('port' in cfg.authority || 'full' in cfg.authority);
  return {
    respond: function requestRedirect(rc) {
      const scheme = cfg.scheme ?? rc.request.scheme;
      let host = authority ? authority(rc.request.host) : rc.request.host;
      if (scheme !== rc.request.scheme && !portSet) host = splitAuthority(host).host;
      const p = path ? path(rc.url.pathname) : rc.url.pathname;
      const location = `${scheme}://${host || 'localhost'}${p}${rc.url.search}`;
      rc.res.writeHead(status, { location, 'content-length': 0 });
      rc.res.end();
    },
  };
}
