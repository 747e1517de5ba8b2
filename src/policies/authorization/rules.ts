/**
 * Rule compilation for `authorization` and `mcpAuthorization`: every rule is parsed and
 * type-checked at config load; ALL bad rules are reported at once, each at its own file:line:col with
 * the expression and a caret under the bad spot.
 */
import type { RuleConfig } from '../../config/schema/policies.js';
import type { ConfigPath } from '../../config/types.js';
import { isConfigError, ConfigError } from '../../config/errors.js';
import type { DecidingRule, Decision } from '../../contracts/authorization.js';
import type { BuildContext } from '../../contracts/build-context.js';
import { oneLine, ruleRef } from './rule-ref.js';
import {
  CEL_VARIABLES,
  readsOnly,
  tryCompileCel,
  type CelVariableSet,
  type CompiledCel,
} from '../../cel/index.js';

export { describeRule, ruleRef } from './rule-ref.js';

export type RuleEffect = DecidingRule['effect'];

export interface CompiledRule {
  readonly index: number;
  readonly effect: RuleEffect;
  readonly source: string;
  readonly evaluate: CompiledCel;
  /** What to evaluate for anonymous callers (same truth, no exceptions); undefined = never true. */
  readonly withoutJwt: CompiledCel | undefined;
  /** The DecidingRule handed out in decisions (shared, frozen). */
  readonly deciding: DecidingRule;
  /** The decision this rule produces when it decides (allow rules: allowed; deny/require: denied). */
  readonly decision: Decision;
  /** True when its value depends on the caller's identity and the MCP item alone (src/cel/references.ts). */
  readonly identityAndItemOnly: boolean;
}

/** Rules grouped by effect, in config order within each group. */
export interface CompiledRuleSet {
  readonly count: number;
  readonly deny: readonly CompiledRule[];
  readonly require: readonly CompiledRule[];
  readonly allow: readonly CompiledRule[];
}

export function ruleOf(rule: RuleConfig): { effect: RuleEffect; source: string; key: string | undefined } {
  if (typeof rule === 'string') return { effect: 'allow', source: rule, key: undefined };
  if ('deny' in rule) return { effect: 'deny', source: rule.deny, key: 'deny' };
  if ('require' in rule) return { effect: 'require', source: rule.require, key: 'require' };
  return { effect: 'allow', source: rule.allow, key: 'allow' };
}

function decisionFor(deciding: DecidingRule): Decision {
  const src = oneLine(deciding.source);
  const reason =
    deciding.effect === 'allow'
      ? `allowed by ${ruleRef(deciding.index)}: ${src}`
      : deciding.effect === 'deny'
        ? `denied by ${ruleRef(deciding.index)}: ${src}`
        : `denied: ${ruleRef(deciding.index)} (require) not satisfied: ${src}`;
  return Object.freeze({ allowed: deciding.effect === 'allow', rule: deciding, reason });
}

/** The variables whose values are the same for every request of one verified caller, plus the item. */
const IDENTITY_AND_ITEM: ReadonlySet<string> = new Set(['jwt', 'apiKey', 'basicAuth', 'mcp']);

/** True when every rule's value depends on the caller's identity and the MCP item alone. */
export function readsIdentityAndItemOnly(set: CompiledRuleSet): boolean {
  return [...set.deny, ...set.require, ...set.allow].every((r) => r.identityAndItemOnly);
}

export function compileRules(
  cfg: { readonly rules: readonly RuleConfig[] },
  ctx: BuildContext,
  at: ConfigPath,
  variables: CelVariableSet,
): CompiledRuleSet {
  const deny: CompiledRule[] = [];
  const require: CompiledRule[] = [];
  const allow: CompiledRule[] = [];
  const problems: { path: ConfigPath; message: string }[] = [];
  cfg.rules.forEach((rule, index) => {
    const { effect, source, key } = ruleOf(rule);
    const path = key ? [...at, 'rules', index, key] : [...at, 'rules', index];
    const result = tryCompileCel(source, { variables, expect: 'bool' });
    if (!result.ok) {
      problems.push({ path, message: `invalid CEL ${effect} rule: ${result.message}` });
      return;
    }
    const deciding: DecidingRule = Object.freeze({ index, effect, source });
    const compiled: CompiledRule = {
      index,
      effect,
      source,
      evaluate: result.evaluate,
      withoutJwt: result.withoutJwt,
      deciding,
      decision: decisionFor(deciding),
      identityAndItemOnly: readsOnly(result.references, CEL_VARIABLES[variables], IDENTITY_AND_ITEM),
    };
    (effect === 'deny' ? deny : effect === 'require' ? require : allow).push(compiled);
  });
  if (problems.length > 0) throw rulesError(problems, ctx);
  return { count: cfg.rules.length, deny, require, allow };
}

/** One located error per bad rule; merged into one ConfigError when the context produces those. */
function rulesError(problems: readonly { path: ConfigPath; message: string }[], ctx: BuildContext): Error {
  const errors = problems.map((p) => ctx.error(p.path, p.message));
  if (errors.length === 1) return errors[0] as Error;
  if (errors.every(isConfigError)) return new ConfigError(errors.flatMap((e) => e.issues));
  const first = problems[0] as { path: ConfigPath };
  const listing = problems.map((p) => `${ctx.locate(p.path)}: ${p.message}`).join('\n');
  return ctx.error(first.path, `${problems.length} invalid CEL rules:\n${listing}`);
}
