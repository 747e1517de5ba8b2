/**
 * Renders this repository's Helm chart (deploy/helm/portcullis) for tests. No helm binary can be
 * installed where the suite runs, so this implements exactly the Go-template subset the chart uses —
 * `define`/`include`, `if`/`else`/`end`, `{{-`/`-}}` trimming, `.Values`/`.Release`/`.Chart` paths,
 * string and number literals, pipelines, and the functions `nindent indent toYaml quote b64enc required
 * not default` — and throws on anything else, so a chart edit beyond the subset fails loudly here
 * instead of rendering wrongly. `helm template deploy/helm/portcullis` is the real renderer.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';

type Node =
  | { t: 'text'; v: string }
  | { t: 'out'; expr: string }
  | { t: 'if'; cond: string; then: Node[]; else: Node[] }
  | { t: 'define'; name: string; body: Node[] };

interface Scope {
  readonly root: Record<string, unknown>;
  readonly defines: Map<string, Node[]>;
}

function tokenize(src: string): (string | { action: string })[] {
  const out: (string | { action: string })[] = [];
  const re = /\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1]) text = text.replace(/\s+$/, '');
    if (text) out.push(text);
    out.push({ action: m[2]! });
    trimNext = m[3] === '-';
    last = re.lastIndex;
  }
  let rest = src.slice(last);
  if (trimNext) rest = rest.replace(/^\s+/, '');
  if (rest) out.push(rest);
  return out;
}

function parse(tokens: (string | { action: string })[], file: string): Node[] {
  let i = 0;
  const block = (ends: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (i < tokens.length) {
      const tok = tokens[i++]!;
      if (typeof tok === 'string') {
        nodes.push({ t: 'text', v: tok });
        continue;
      }
      const a = tok.action;
      if (a.startsWith('/*')) continue;
      if (ends.includes(a)) return { nodes, end: a };
      const def = /^define "([^"]+)"$/.exec(a);
      if (def) {
        nodes.push({ t: 'define', name: def[1]!, body: block(['end']).nodes });
        continue;
      }
      if (a.startsWith('if ')) {
        const then = block(['else', 'end']);
        const els = then.end === 'else' ? block(['end']).nodes : [];
        nodes.push({ t: 'if', cond: a.slice(3), then: then.nodes, else: els });
        continue;
      }
      if (/^(range|with|else if|template|block|end|else)\b/.test(a))
        throw new Error(`${file}: unsupported or unbalanced action {{ ${a} }}`);
      nodes.push({ t: 'out', expr: a });
    }
    if (ends.length) throw new Error(`${file}: missing {{ end }}`);
    return { nodes, end: '' };
  };
  return block([]).nodes;
}

function splitArgs(cmd: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(cmd); m; m = re.exec(cmd))
    out.push(m[1] !== undefined ? JSON.stringify(JSON.parse(`"${m[1]}"`)) : m[2]!);
  return out;
}

function operand(tok: string, s: Scope): unknown {
  if (tok.startsWith('"')) return JSON.parse(tok) as string;
  if (/^-?\d+$/.test(tok)) return Number(tok);
  if (tok === '.') return s.root;
  if (tok.startsWith('.')) {
    let v: unknown = s.root;
    for (const key of tok.slice(1).split('.'))
      v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
    return v;
  }
  throw new Error(`unsupported operand ${tok}`);
}

const empty = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === false ||
  v === '' ||
  v === 0 ||
  (typeof v === 'object' && Object.keys(v as object).length === 0);
const str = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v));
const indentBy = (n: number, v: unknown) =>
  str(v)
    .split('\n')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

function call(fn: string, args: unknown[], s: Scope): unknown {
  switch (fn) {
    case 'include': {
      const body = s.defines.get(str(args[0]));
      if (!body) throw new Error(`include of undefined template ${str(args[0])}`);
      return render(body, s);
    }
    case 'nindent':
      return '\n' + indentBy(Number(args[0]), args[1]);
    case 'indent':
      return indentBy(Number(args[0]), args[1]);
    case 'toYaml':
      return stringify(args[0]).trimEnd();
    case 'quote':
      return JSON.stringify(str(args[0]));
    case 'b64enc':
      return Buffer.from(str(args[0])).toString('base64');
    case 'required':
      if (empty(args[1])) throw new Error(`required: ${str(args[0])}`);
      return args[1];
    case 'not':
      return empty(args[0]);
    case 'default':
      return empty(args[1]) ? args[0] : args[1];
    default:
      throw new Error(`unsupported function ${fn}`);
  }
}

function evaluate(expr: string, s: Scope): unknown {
  let piped: unknown;
  let first = true;
  for (const cmd of expr.split('|').map((c) => c.trim())) {
    const [head, ...rest] = splitArgs(cmd);
    const args = rest.map((a) => operand(a, s));
    if (!first) args.push(piped);
    piped =
      head!.startsWith('.') || head!.startsWith('"') || /^-?\d+$/.test(head!)
        ? operand(head!, s)
        : call(head!, args, s);
    first = false;
  }
  return piped;
}

function render(nodes: Node[], s: Scope): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.v;
    else if (n.t === 'out') out += str(evaluate(n.expr, s));
    else if (n.t === 'if') out += render(empty(evaluate(n.cond, s)) ? n.else : n.then, s);
  }
  return out;
}

function collectDefines(nodes: Node[], into: Map<string, Node[]>): void {
  for (const n of nodes) if (n.t === 'define') into.set(n.name, n.body);
}

/** Every rendered manifest of the chart, parsed, for the given values (merged over values.yaml). */
export function renderChart(
  dir: string,
  release: string,
  overrides: Record<string, unknown>,
): Record<string, unknown>[] {
  const chart = parseYaml(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
  const values = merge(
    parseYaml(readFileSync(join(dir, 'values.yaml'), 'utf8')) as Record<string, unknown>,
    overrides,
  );
  const root = {
    Values: values,
    Release: { Name: release, Namespace: 'default' },
    Chart: { ...chart, AppVersion: chart['appVersion'] },
  };
  const files = readdirSync(join(dir, 'templates')).sort();
  const parsed = files.map(
    (f) => [f, parse(tokenize(readFileSync(join(dir, 'templates', f), 'utf8')), f)] as const,
  );
  const defines = new Map<string, Node[]>();
  for (const [, nodes] of parsed) collectDefines(nodes, defines);
  const scope: Scope = { root, defines };
  const docs: Record<string, unknown>[] = [];
  for (const [f, nodes] of parsed) {
    if (f.startsWith('_')) continue;
    const text = render(
      nodes.filter((n) => n.t !== 'define'),
      scope,
    );
    for (const part of text.split(/^---$/m)) {
      if (!part.trim()) continue;
      const doc = parseYaml(part) as Record<string, unknown> | null;
      if (doc) docs.push(doc);
    }
  }
  return docs;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? merge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
