/**
 * Static facts about a checked expression, computed once at config load: what is left of an expression
 * when there is no token (`jwt == null`).
 *
 * Why: in cel-js a missing key is an exception, and without a token every `jwt.x` throws. An anonymous
 * `tools/list` would otherwise throw once per jwt-reading rule per tool, which costs far more than
 * evaluating the rules. Only the *truth* of an authorization rule matters (false and error both mean
 * "not matched"), and truth composes over `&&` / `||` even with cel-go's error absorption:
 *   true(a && b) = true(a) ∧ true(b)      true(a || b) = true(a) ∨ true(b)
 * So a sub-expression that certainly fails without a token can be dropped: `x && <fails>` is never true,
 * `x || <fails>` is true exactly when `x` is. The analysis is narrow and conservative: it only walks
 * `&&`, `||` and operators that propagate an operand's error (`.`, `[]`, comparisons, arithmetic, `in`).
 * It never enters calls, macros or `!`, so a `jwt` it meets is always the root variable.
 */
import type { ASTNode } from '@marcbachmann/cel-js';

const PROPAGATING = new Set(['.', '[]', '==', '!=', '<', '<=', '>', '>=', 'in', '+', '-', '*', '/', '%']);

function operands(node: ASTNode): readonly ASTNode[] {
  const args = node.args as unknown;
  if (!Array.isArray(args)) return [];
  return args.filter((a): a is ASTNode => typeof a === 'object' && a !== null && 'op' in a);
}

/** Evaluating `node` with `jwt == null` certainly raises an error. */
function errorsWithoutJwt(node: ASTNode): boolean {
  if (node.op === '.' || node.op === '[]') {
    const [target, ...rest] = operands(node);
    if (target === undefined) return false;
    if (target.op === 'id' && target.args === 'jwt') return true;
    return errorsWithoutJwt(target) || (node.op === '[]' && rest.some(errorsWithoutJwt));
  }
  if (PROPAGATING.has(node.op)) return operands(node).some(errorsWithoutJwt);
  return false;
}

interface Part {
  readonly text: string;
  readonly changed: boolean;
}

/** The expression's text without the parts that fail without a token; null = it can never be true. */
function withoutJwt(node: ASTNode, source: string): Part | null {
  const [a, b] = operands(node);
  if ((node.op === '&&' || node.op === '||') && a && b) {
    const left = withoutJwt(a, source);
    const right = withoutJwt(b, source);
    if (node.op === '&&') {
      if (!left || !right) return null;
      return { text: `(${left.text}) && (${right.text})`, changed: left.changed || right.changed };
    }
    if (!left) return right && { text: right.text, changed: true };
    if (!right) return { text: left.text, changed: true };
    return { text: `(${left.text}) || (${right.text})`, changed: left.changed || right.changed };
  }
  if (errorsWithoutJwt(node)) return null;
  return { text: source.slice(node.start, node.end), changed: false };
}

/**
 * What to evaluate when `jwt` is null: `never` (it cannot be true), `same` (the expression as is), or a
 * simplified source with the same truth.
 */
export type AnonymousForm =
  | { readonly kind: 'never' }
  | { readonly kind: 'same' }
  | { readonly kind: 'simplified'; readonly source: string };

export function anonymousForm(ast: ASTNode, source: string): AnonymousForm {
  const part = withoutJwt(ast, source);
  if (!part) return { kind: 'never' };
  return part.changed ? { kind: 'simplified', source: part.text } : { kind: 'same' };
}

/** A string literal an expression compares an MCP item's name with (`mcp.tool.name == "x"`, `… in ["x"]`). */
export interface ComparedName {
  readonly kind: 'tool' | 'prompt' | 'resource';
  readonly value: string;
}

const ITEM_KINDS = new Set(['tool', 'prompt', 'resource']);

/** `mcp.<kind>.name` → the kind; anything else → undefined. */
function itemNameKind(node: ASTNode): ComparedName['kind'] | undefined {
  if (node.op !== '.' || !Array.isArray(node.args)) return undefined;
  const [inner, field] = node.args as unknown[];
  if (field !== 'name') return undefined;
  const i = inner as ASTNode | undefined;
  if (!i || i.op !== '.' || !Array.isArray(i.args)) return undefined;
  const [root, kind] = i.args as unknown[];
  const r = root as ASTNode | undefined;
  if (!r || r.op !== 'id' || r.args !== 'mcp' || typeof kind !== 'string' || !ITEM_KINDS.has(kind))
    return undefined;
  return kind as ComparedName['kind'];
}

function stringsOf(node: ASTNode): string[] {
  if (node.op === 'value' && typeof node.args === 'string') return [node.args];
  if (node.op === 'list') return operands(node).flatMap((n) => (n.op === 'value' ? stringsOf(n) : []));
  return [];
}

/**
 * Every string literal compared with an item's name anywhere in the expression: `==`, `!=` (either side)
 * and `in [list]`. Computed once at config load to warn about names the rules never see (prefixed names
 * of a multiplexed route).
 */
export function comparedNames(ast: ASTNode): ComparedName[] {
  const out: ComparedName[] = [];
  const walk = (node: ASTNode): void => {
    const [a, b] = operands(node);
    if ((node.op === '==' || node.op === '!=' || node.op === 'in') && a && b) {
      const pairs: [ASTNode, ASTNode][] =
        node.op === 'in'
          ? [[a, b]]
          : [
              [a, b],
              [b, a],
            ];
      for (const [name, lit] of pairs) {
        const kind = itemNameKind(name);
        if (kind) for (const value of stringsOf(lit)) out.push({ kind, value });
      }
    }
    for (const child of operands(node)) walk(child);
    // Unary operators (`!_`, `-_`) hold their operand directly.
    const one = node.args as unknown;
    if (one && typeof one === 'object' && !Array.isArray(one) && 'op' in one) walk(one as ASTNode);
    // Calls and macros keep their arguments in nested arrays.
    if (Array.isArray(node.args))
      for (const x of node.args as unknown[])
        if (Array.isArray(x))
          for (const y of x) if (y && typeof y === 'object' && 'op' in y) walk(y as ASTNode);
  };
  walk(ast);
  return out;
}
