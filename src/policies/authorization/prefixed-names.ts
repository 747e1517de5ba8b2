/**
 * A load warning for rules that compare an item's name with the name clients see on a multiplexed
 * route. There `tools/list` shows `local_echo` (resources `local+file:///x`), but rules see the
 * upstream's own name and the target apart (`mcp.tool.name == "echo" && mcp.tool.target == "local"`),
 * so such a rule never matches. Found with the static analysis of src/cel/analysis.ts, at config load.
 */
import { comparedNames } from '../../cel/analysis.js';
import { celEnvironment } from '../../cel/environment.js';
import type { RuleConfig } from '../../config/schema/policies.js';
import type { ConfigPath, NormalizedMcpBackend } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';
import { ruleRef } from './rule-ref.js';
import { ruleOf } from './rules.js';

/** The target and own name behind a client-facing name, when `value` has a target's prefix. */
function unprefix(
  value: string,
  kind: 'tool' | 'prompt' | 'resource',
  targets: readonly string[],
): { target: string; name: string } | undefined {
  const sep = kind === 'resource' ? '+' : '_';
  const i = value.indexOf(sep);
  if (i <= 0) return undefined;
  const target = value.slice(0, i);
  const name = value.slice(i + 1);
  return targets.includes(target) && name !== '' ? { target, name } : undefined;
}

/** What the check needs of a backend (a normalized one, or the raw config's shape). */
export type PrefixingBackend = Pick<NormalizedMcpBackend, 'prefixMode'> & {
  readonly targets: readonly { readonly name: string }[];
};

export function warnPrefixedNames(
  rules: readonly RuleConfig[],
  backend: PrefixingBackend,
  ctx: BuildContext,
  at: ConfigPath,
): void {
  const prefixing = backend.targets.length > 1 || backend.prefixMode === 'always';
  if (!prefixing) return;
  const targets = backend.targets.map((t) => t.name);
  const env = celEnvironment('mcp');
  rules.forEach((rule, index) => {
    const { source, key } = ruleOf(rule);
    let ast;
    try {
      ast = env.parse(source).ast;
    } catch {
      return; // reported as an error by the rule compiler
    }
    for (const c of comparedNames(ast)) {
      const u = unprefix(c.value, c.kind, targets);
      if (!u) continue;
      const field = `mcp.${c.kind}.name`;
      ctx.warn(
        key ? [...at, 'rules', index, key] : [...at, 'rules', index],
        `${ruleRef(index)} compares ${field} with "${c.value}", the name clients see on this multiplexed ` +
          `route; rules see the target's own name, so this never matches. Write ` +
          `${field} == "${u.name}" && mcp.${c.kind}.target == "${u.target}"`,
      );
    }
  });
}
