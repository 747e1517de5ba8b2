/**
 * The decision algorithm (v1.1+ semantics). Rule order in the config
 * does not matter — effects are checked in this fixed order:
 *   1. no rules                         → allow
 *   2. any deny rule is true            → deny  (that rule)
 *   3. any require rule is not true     → deny  (that rule)
 *   4. any allow rule is true           → allow (that rule)
 *   5. no allow rules at all            → allow (deny/require-only sets are deny-lists)
 *   6. otherwise                        → deny
 * A rule that errors (missing claim, no token, non-bool result) is "not matched". For an allow rule that
 * is the safe outcome; for a deny rule it opens access, so it is reported through `onDenyRuleError`.
 */
import type { DecidingRule, Decision } from '../../contracts/authorization.js';
import { evaluateBool, type CelActivation } from '../../cel/index.js';
import type { CompiledRuleSet } from './rules.js';

export type DenyRuleErrorHandler = (rule: DecidingRule, error: Error) => void;

export const NO_RULES: Decision = Object.freeze({
  allowed: true,
  rule: undefined,
  reason: 'no rules: allowed',
});
const DENYLIST_ALLOW: Decision = Object.freeze({
  allowed: true,
  rule: undefined,
  reason: 'allowed: no deny or require rule matched (no allow rules)',
});
const NOTHING_ALLOWED: Decision = Object.freeze({
  allowed: false,
  rule: undefined,
  reason: 'denied: no rule allowed it',
});

function firstLine(err: Error): string {
  const msg = err.message;
  const nl = msg.indexOf('\n');
  return nl < 0 ? msg : msg.slice(0, nl);
}

export function decideRules(
  set: CompiledRuleSet,
  activation: CelActivation,
  onDenyRuleError: DenyRuleErrorHandler | undefined,
): Decision {
  if (set.count === 0) return NO_RULES;
  for (const rule of set.deny) {
    const r = evaluateBool(rule.evaluate, activation);
    if (r.value) return rule.decision;
    if (r.error && onDenyRuleError) onDenyRuleError(rule.deciding, r.error);
  }
  for (const rule of set.require) {
    const r = evaluateBool(rule.evaluate, activation);
    if (r.value) continue;
    if (!r.error) return rule.decision;
    return {
      allowed: false,
      rule: rule.deciding,
      reason: `${rule.decision.reason} (error: ${firstLine(r.error)})`,
    };
  }
  if (set.allow.length === 0) return DENYLIST_ALLOW;
  const anonymous = activation.jwt === null;
  for (const rule of set.allow) {
    // Without a token, the form of the rule with the same truth but without the parts that would throw
    // (src/cel/analysis.ts); undefined when it can never be true.
    const evaluate = anonymous ? rule.withoutJwt : rule.evaluate;
    if (evaluate !== undefined && evaluateBool(evaluate, activation).value) return rule.decision;
  }
  return NOTHING_ALLOWED;
}
