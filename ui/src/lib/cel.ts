/** A small CEL tokenizer for syntax highlighting (not a parser: unknown input becomes `text`). */

export type CelTokenKind =
  | 'string'
  | 'number'
  | 'keyword'
  | 'variable'
  | 'function'
  | 'field'
  | 'operator'
  | 'punct'
  | 'space'
  | 'text';

export interface CelToken {
  readonly kind: CelTokenKind;
  readonly text: string;
}

const KEYWORDS = new Set(['true', 'false', 'null', 'in']);
/** Top-level variables of Portcullis's CEL environment. */
const VARIABLES = new Set(['jwt', 'mcp', 'request', 'source']);
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '%', '?', ':'];

const patterns: readonly (readonly [CelTokenKind, RegExp])[] = [
  ['space', /^\s+/],
  ['string', /^[rRbB]{0,2}("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')/],
  ['number', /^(0x[0-9a-fA-F]+u?|\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?u?)/],
  ['text', /^[A-Za-z_][A-Za-z0-9_]*/],
  ['punct', /^[()[\]{},.]/],
];

export function tokenizeCel(source: string): CelToken[] {
  const out: CelToken[] = [];
  let rest = source;
  while (rest.length > 0) {
    const op = OPERATORS.find((o) => rest.startsWith(o));
    let matched: CelToken | undefined;
    for (const [kind, re] of patterns) {
      const m = re.exec(rest);
      if (m) {
        matched = { kind, text: m[0] };
        break;
      }
    }
    if (!matched && op) matched = { kind: 'operator', text: op };
    if (!matched) matched = { kind: 'text', text: rest[0] ?? '' };
    if (matched.kind === 'text' && /^[A-Za-z_]/.test(matched.text))
      matched = classifyIdent(matched.text, out, rest);
    out.push(matched);
    rest = rest.slice(matched.text.length);
  }
  return out;
}

function classifyIdent(word: string, before: readonly CelToken[], rest: string): CelToken {
  const prev = [...before].reverse().find((t) => t.kind !== 'space');
  const next = rest.slice(word.length).trimStart();
  if (next.startsWith('(')) return { kind: 'function', text: word };
  if (prev?.text === '.') return { kind: 'field', text: word };
  if (KEYWORDS.has(word)) return { kind: 'keyword', text: word };
  if (VARIABLES.has(word)) return { kind: 'variable', text: word };
  return { kind: 'text', text: word };
}
