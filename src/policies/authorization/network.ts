/**
 * `frontendPolicies.networkAuthorization` (agentgateway's format): allow/deny/require CEL rules over the
 * client connection (`source.address`, `source.port`, `destination.*`), decided like `authorization`
 * (./decide.ts). Checked before any routing on every HTTP and TCP bind; a refused client gets its
 * connection closed without an answer, as agentgateway does. `request` is empty here, `jwt` null.
 */
import type { RuleConfig } from '../../config/schema/index.js';
import type { ConfigPath } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestInfo } from '../../contracts/request-context.js';
import { compileHttpAuthorization } from './http.js';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface CompiledNetworkAuthorization {
  allows(source: Endpoint, destination: Endpoint): boolean;
}

export function compileNetworkAuthorization(
  cfg: { readonly rules: readonly RuleConfig[] },
  ctx: BuildContext,
  at: ConfigPath,
): CompiledNetworkAuthorization {
  const authz = compileHttpAuthorization(cfg, ctx, at);
  return {
    allows(source, destination) {
      const request: RequestInfo = {
        method: '',
        path: '',
        host: '',
        scheme: 'http',
        headers: {},
        destination,
      };
      return authz.check({ identity: null, request, source }).allowed;
    },
  };
}
