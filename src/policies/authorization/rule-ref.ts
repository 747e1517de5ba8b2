/**
 * The one numbering of rules, everywhere (CLI, access log, metrics, admin API, docs): `rules[N]`,
 * 0-based, exactly as the config path to the rule shows it (`...mcpAuthorization.rules[1]`).
 */
import type { DecidingRule } from '../../contracts/authorization.js';

export function ruleRef(index: number): string {
  return `rules[${index}]`;
}

/** `rules[2] (allow): mcp.tool.name == "echo"` — one way to name a rule in logs and `explain` output. */
export function describeRule(rule: DecidingRule): string {
  return `${ruleRef(rule.index)} (${rule.effect}): ${oneLine(rule.source)}`;
}

export function oneLine(source: string): string {
  return source.replace(/\s*\n\s*/g, ' ').trim();
}
