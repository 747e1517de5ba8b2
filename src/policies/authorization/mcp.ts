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
 *
 * List filtering asks the same questions again on every `tools/list` of a caller: when the rules read
 * only the identity and the item, those answers are remembered per identity (decision-memo.ts).
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
import { DecisionMemo } from './decision-memo.js';
import type { AuthorizationOptions } from './options.js';
import { compileRules, readsIdentityAndItemOnly } from './rules.js';

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

  function evaluate(item: McpItem, subject: AuthzSubject): { decision: Decision; keep: boolean } {
    const activation = withMcp(baseFor(subject), subject.mcpMethod, item);
    // A decision that reported a failing deny rule is not remembered: the next request reports it again.
    let keep = true;
    const report = (rule: DecidingRule, error: Error): void => {
      keep = false;
      onError?.({ rule, error, item, subject });
    };
    return { decision: decideRules(set, activation, report), keep };
  }

  const memo = readsIdentityAndItemOnly(set) ? new DecisionMemo() : undefined;
  return {
    decide: function mcpAuthorization(item: McpItem, subject: AuthzSubject): Decision {
      // Only lists repeat the same questions; a call decides one item once.
      if (memo !== undefined && subject.mcpMethod.endsWith('/list'))
        return memo.decide(subject.identity, subject.mcpMethod, item, () => evaluate(item, subject));
      return evaluate(item, subject).decision;
    },
  };
}
