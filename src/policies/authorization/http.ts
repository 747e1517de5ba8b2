/**
 * HTTP-level `authorization`: the same rule language over `request`, `jwt`, `source`
 * (and `now`), evaluated once per request after authentication. A deny → the pipeline answers
 * 403 `authorization failed` (GatewayError AUTHZ_FAILED).
 */
import type { RuleConfig } from '../../config/schema/policies.js';
import type { ConfigPath } from '../../config/types.js';
import type { AuthzSubject, DecidingRule, Decision } from '../../contracts/authorization.js';
import type { BuildContext } from '../../contracts/build-context.js';
import { buildBaseActivation } from '../../cel/index.js';
import type { CompiledHttpAuthorization } from '../types.js';
import { decideRules } from './decide.js';
import type { AuthorizationOptions } from './options.js';
import { compileRules } from './rules.js';

export function compileHttpAuthorization(
  cfg: { readonly rules: readonly RuleConfig[] },
  ctx: BuildContext,
  at: ConfigPath,
  opts: AuthorizationOptions = {},
): CompiledHttpAuthorization {
  const set = compileRules(cfg, ctx, at, 'http');
  const clock = opts.now ?? Date.now;
  const onError = opts.onDenyRuleError;
  return {
    check: function httpAuthorization(subject: Omit<AuthzSubject, 'mcpMethod'>): Decision {
      const report = onError
        ? (rule: DecidingRule, error: Error) => onError({ rule, error, subject })
        : undefined;
      return decideRules(set, buildBaseActivation(subject, { nowMs: clock() }), report);
    },
  };
}
