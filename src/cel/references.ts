/**
 * What a checked expression can read, computed once at config load from its AST: the identifiers it
 * names (declared variables such as `jwt` or `request`, and macro-bound locals such as `g` in
 * `jwt.groups.exists(g, …)`) and the functions it calls. A caller that knows the expression reads only
 * some variables and calls only pure functions may reuse a result for equal values of those variables
 * (the MCP authorizer's per-identity decision memo, src/policies/authorization/decision-memo.ts).
 */
import type { ASTNode } from '@marcbachmann/cel-js';

export interface CelReferences {
  /** Every identifier (`id` node) in the expression. */
  readonly identifiers: ReadonlySet<string>;
  /** Every function or method name called (`uuid()`, `x.startsWith(…)`, macros such as `exists`). */
  readonly functions: ReadonlySet<string>;
}

function isNode(x: unknown): x is ASTNode {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'op' in x;
}

export function celReferences(ast: ASTNode): CelReferences {
  const identifiers = new Set<string>();
  const functions = new Set<string>();
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (const y of x) visit(y);
      return;
    }
    if (!isNode(x)) return;
    const args = x.args as unknown;
    if (x.op === 'id' && typeof args === 'string') {
      identifiers.add(args);
      return;
    }
    if ((x.op === 'call' || x.op === 'rcall') && Array.isArray(args) && typeof args[0] === 'string')
      functions.add(args[0]);
    visit(args);
  };
  visit(ast);
  return { identifiers, functions };
}

/**
 * Functions whose result is not decided by their arguments: they differ between two calls (`uuid`,
 * `now`, `random`, `rand`) or read the whole activation without naming a variable (`variables`).
 */
const IMPURE_FUNCTIONS: ReadonlySet<string> = new Set(['uuid', 'now', 'random', 'rand', 'variables']);

/**
 * True when the expression's value is decided by the variables in `inputs` alone: it names no other
 * declared variable of `declared` and calls no impure function. Locals (macro variables) are not
 * declared variables, so they do not count.
 */
export function readsOnly(
  refs: CelReferences,
  declared: Readonly<Record<string, string>>,
  inputs: ReadonlySet<string>,
): boolean {
  for (const id of refs.identifiers) if (Object.hasOwn(declared, id) && !inputs.has(id)) return false;
  for (const f of refs.functions) if (IMPURE_FUNCTIONS.has(f)) return false;
  return true;
}
