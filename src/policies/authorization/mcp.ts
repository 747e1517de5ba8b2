/**
 * `mcpAuthorization`: the one authorizer the MCP layer asks for list filtering,
 * call denial and `explain`. Rules are compiled at config load; a decision only evaluates them.
 *
 * The jwt/request/source part of the CEL activation is built once per subject (one request): the
 * authorizer remembers the activation of the last subject it saw, so filtering a list of N items (N
 * consecutive decide() calls with the same subject) builds N small `mcp` objects and nothing else. A
 * one-entry memo rather than a WeakMap: a WeakMap entry per request costs more (GC of ephemerons) than
 * the whole decision of a single call. A different subject simply rebuilds; correctness never depends
 * on a hit.
 */
import type { RuleConfig } from '../../config/schema/policies.js';
import type { ConfigPath } from '../../config/types.js';
import type {
  AuthzSubject,
  DecidingRule,
  Decision,
  McpAuthorizer,
  McpItem,
} from '../../contracts/authorization.js';
import type { BuildContext } from '../../contracts/build-context.js';
import { buildBaseActivation, withMcp, type CelActivation } from '../../cel/index.js';
import { decideRules, NO_RULES } from './decide.js';
import type { AuthorizationOptions } from './options.js';
import { compileRules } from './rules.js';

interface CachedBase {
  readonly subject: AuthzSubject;
  readonly activation: CelActivation;
  /** `now` is whole seconds: the cached activation is reused until the second changes. */
  readonly validUntilMs: number;
}

export function compileMcpAuthorization(
  cfg: { readonly rules: readonly RuleConfig[] },
  ctx: BuildContext,
  at: ConfigPath,
  opts: AuthorizationOptions = {},
): McpAuthorizer {
  const set = compileRules(cfg, ctx, at, 'mcp');
  if (set.count === 0) {
    return {
      decide: function mcpAuthorizationNoRules(): Decision {
        return NO_RULES;
      },
    };
  }
  const clock = opts.now ?? Date.now;
  const onError = opts.onDenyRuleError;
  let last: CachedBase | undefined;

  function baseFor(subject: AuthzSubject): CelActivation {
    const nowMs = clock();
    if (last !== undefined && last.subject === subject && nowMs < last.validUntilMs) return last.activation;
    const activation = buildBaseActivation(subject, { nowMs });
    last = { subject, activation, validUntilMs: (Math.floor(nowMs / 1000) + 1) * 1000 };
    return activation;
  }

  return {
    decide: function mcpAuthorization(item: McpItem, subject: AuthzSubject): Decision {
      const activation = withMcp(baseFor(subject), subject.mcpMethod, item);
      const report = onError
        ? (rule: DecidingRule, error: Error) => onError({ rule, error, item, subject })
        : undefined;
      return decideRules(set, activation, report);
    },
  };
}
