/**
 * agentgateway's CEL extension functions, registered only where cel-js lacks them.
 * cel-js 8 already has: `lowerAscii upperAscii trim indexOf lastIndexOf substring split join matches
 * startsWith endsWith contains size`, the macros `has all exists exists_one map filter cel.bind`, and
 * `bytes.base64() bytes.json() bytes.string()`.
 *
 * Added here:
 * - `default(expr, fallback)` — fallback when `expr` is null, a missing key or an unknown variable
 * - `x.with(name, expr)` — bind `x` to `name` inside `expr`
 * - `json(string|bytes)`, `toJson(v)` / `to_json(v)`
 * - `m.mapValues(v, expr)`, `m.merge(other)`
 * - `s.charAt(i)`, `s.replace(old, new[, n])`, `s.reverse()`, `s.regexReplace(pattern, replacement)`
 * - `s.base64Encode()`, `b.base64Encode()`, `s.base64Decode()` (→ bytes), `random()`
 */
import type { Environment } from '@marcbachmann/cel-js';
import { toCelValue } from './values.js';

// ---- the parts of cel-js's (untyped) macro API we use ----
interface CelTypeDecl {
  readonly kind: string;
  readonly keyType?: CelTypeDecl;
  readonly valueType?: CelTypeDecl;
  matches(other: CelTypeDecl): boolean;
}
interface CelScope {
  forkWithVariable(name: string, type: CelTypeDecl): CelOverlay;
}
interface CelOverlay extends CelScope {
  reuse(parent: CelScope): CelOverlay;
  setIterValue(value: unknown, evaluator: CelRunner): CelOverlay;
}
interface CelChecker {
  check(node: CelNode, scope: CelScope): CelTypeDecl;
  getType(name: string): CelTypeDecl;
  createError(code: string, message: string, node: CelNode): Error;
}
interface CelRunner {
  run(node: CelNode, scope: CelScope): unknown;
}
interface CelNode {
  readonly op: string;
  readonly args: unknown;
}
interface MacroInput {
  readonly args: readonly CelNode[];
  readonly receiver: CelNode | undefined;
  readonly ast: CelNode;
}

function identifier(node: CelNode | undefined, what: string): string {
  if (node && node.op === 'id' && typeof node.args === 'string') return node.args;
  throw new Error(`${what}: the variable name must be a plain identifier`);
}

/** Errors that `default()` turns into its fallback (missing key, unknown variable). */
const MISSING_CODES = new Set(['no_such_key', 'unknown_variable']);

function isMissing(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && MISSING_CODES.has((err as { code?: unknown }).code as string)
  );
}

interface SelectPath {
  readonly root: CelNode;
  readonly fields: readonly string[];
}

interface DefaultMacro {
  readonly expr: CelNode;
  readonly fallback: CelNode;
  /** `expr` as `root.f1.f2…` when it is a plain field path (the common `default(jwt.x, …)`). */
  readonly path: SelectPath | undefined;
}

function selectPath(node: CelNode): SelectPath | undefined {
  const fields: string[] = [];
  let n = node;
  while (n.op === '.') {
    const [target, field] = n.args as [CelNode, string];
    fields.unshift(field);
    n = target;
  }
  return n.op === 'id' && fields.length > 0 ? { root: n, fields } : undefined;
}

/**
 * True when a field of `path` is certainly absent in plain JSON data (null on the way, missing key), so
 * `default()` can answer the fallback without letting cel-js throw "no such key" — exceptions are the
 * expensive part of an evaluation. Anything else (typed objects, lists…) goes the normal way.
 */
function certainlyMissing(ev: CelRunner, path: SelectPath, scope: CelScope): boolean {
  let v: unknown;
  try {
    v = ev.run(path.root, scope);
  } catch {
    return false;
  }
  for (const f of path.fields) {
    if (v === null) return true;
    if (v instanceof Map) {
      if (!v.has(f)) return true;
      v = v.get(f);
    } else if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      if (!Object.hasOwn(v as object, f)) return true;
      v = (v as Record<string, unknown>)[f];
    } else {
      return false;
    }
  }
  return false;
}

function defaultMacro({ args }: MacroInput) {
  const [expr, fallback] = args as [CelNode, CelNode];
  return {
    expr,
    fallback,
    path: selectPath(expr),
    async: false,
    typeCheck(checker: CelChecker, m: DefaultMacro, scope: CelScope): CelTypeDecl {
      const a = checker.check(m.expr, scope);
      const b = checker.check(m.fallback, scope);
      return a.kind !== 'dyn' && a.matches(b) && b.matches(a) ? a : checker.getType('dyn');
    },
    evaluate(ev: CelRunner, m: DefaultMacro, scope: CelScope): unknown {
      if (m.path && certainlyMissing(ev, m.path, scope)) return ev.run(m.fallback, scope);
      let value: unknown;
      try {
        value = ev.run(m.expr, scope);
      } catch (err) {
        if (isMissing(err)) return ev.run(m.fallback, scope);
        throw err;
      }
      return value === null || value === undefined ? ev.run(m.fallback, scope) : value;
    },
  };
}

interface BindMacro {
  readonly receiver: CelNode;
  readonly name: string;
  readonly body: CelNode;
  bound: CelOverlay | undefined;
}

function withMacro({ args, receiver }: MacroInput) {
  const macro: BindMacro & Record<string, unknown> = {
    receiver: receiver as CelNode,
    name: identifier(args[0], 'with(name, expr)'),
    body: args[1] as CelNode,
    bound: undefined,
    async: false,
    typeCheck(checker: CelChecker, m: BindMacro, scope: CelScope): CelTypeDecl {
      m.bound = scope.forkWithVariable(m.name, checker.check(m.receiver, scope));
      return checker.check(m.body, m.bound);
    },
    evaluate(ev: CelRunner, m: BindMacro, scope: CelScope): unknown {
      const value = ev.run(m.receiver, scope);
      return ev.run(m.body, (m.bound as CelOverlay).reuse(scope).setIterValue(value, ev));
    },
  };
  return macro;
}

function mapValuesMacro({ args, receiver }: MacroInput) {
  const macro: BindMacro & Record<string, unknown> = {
    receiver: receiver as CelNode,
    name: identifier(args[0], 'mapValues(var, expr)'),
    body: args[1] as CelNode,
    bound: undefined,
    async: false,
    typeCheck(checker: CelChecker, m: BindMacro, scope: CelScope): CelTypeDecl {
      const mapType = checker.check(m.receiver, scope);
      const valueType =
        mapType.kind === 'map' && mapType.valueType ? mapType.valueType : checker.getType('dyn');
      m.bound = scope.forkWithVariable(m.name, valueType);
      checker.check(m.body, m.bound);
      return checker.getType('map');
    },
    evaluate(ev: CelRunner, m: BindMacro, scope: CelScope): unknown {
      const source = ev.run(m.receiver, scope);
      const run = (v: unknown) => ev.run(m.body, (m.bound as CelOverlay).reuse(scope).setIterValue(v, ev));
      if (source instanceof Map) {
        const out = new Map<unknown, unknown>();
        for (const [k, v] of source) out.set(k, run(v));
        return out;
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(source as Record<string, unknown>)) out[k] = run(v);
      return out;
    },
  };
  return macro;
}

/** `m.filterKeys(k, pred)`: the entries whose key satisfies `pred` (a non-bool result is an error). */
function filterKeysMacro({ args, receiver }: MacroInput) {
  const macro: BindMacro & Record<string, unknown> = {
    receiver: receiver as CelNode,
    name: identifier(args[0], 'filterKeys(var, predicate)'),
    body: args[1] as CelNode,
    bound: undefined,
    async: false,
    typeCheck(checker: CelChecker, m: BindMacro, scope: CelScope): CelTypeDecl {
      const mapType = checker.check(m.receiver, scope);
      const keyType = mapType.kind === 'map' && mapType.keyType ? mapType.keyType : checker.getType('dyn');
      m.bound = scope.forkWithVariable(m.name, keyType);
      const t = checker.check(m.body, m.bound);
      if (!checker.getType('bool').matches(t))
        throw checker.createError('invalid_argument', 'filterKeys: the predicate must be a bool', m.body);
      return mapType.kind === 'map' ? mapType : checker.getType('map');
    },
    evaluate(ev: CelRunner, m: BindMacro, scope: CelScope): unknown {
      const source = ev.run(m.receiver, scope);
      const keep = (k: unknown): boolean => {
        const v = ev.run(m.body, (m.bound as CelOverlay).reuse(scope).setIterValue(k, ev));
        if (typeof v !== 'boolean') throw new Error('filterKeys: the predicate must evaluate to a bool');
        return v;
      };
      if (Array.isArray(source) || typeof source !== 'object' || source === null)
        throw new Error('filterKeys: the receiver must be a map');
      if (source instanceof Map) {
        const out = new Map<unknown, unknown>();
        for (const [k, v] of source) if (keep(k)) out.set(k, v);
        return out;
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(source as Record<string, unknown>)) if (keep(k)) out[k] = v;
      return out;
    },
  };
  return macro;
}

/** CEL value → JSON-compatible value (for `toJson`). Integers outside 2^53 become strings. */
export function celToJson(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) || value instanceof Set) return [...value].map(celToJson);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) if (v !== undefined) out[String(k)] = celToJson(v);
    return out;
  }
  const ctor = (value as object).constructor?.name;
  // cel-js value classes: UnsignedInt (valueOf → bigint), Type, google.protobuf.Duration
  const primitive = (value as { valueOf(): unknown }).valueOf();
  if (typeof primitive === 'bigint') return celToJson(primitive);
  if (ctor === 'Type' || ctor === 'Duration') return String(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = celToJson(v);
  return out;
}

function parseJson(text: string): unknown {
  return toCelValue(JSON.parse(text));
}

function codePoints(s: string): string[] {
  return Array.from(s);
}

function charAt(s: string, index: bigint): string {
  const chars = codePoints(s);
  const i = Number(index);
  if (i < 0 || i > chars.length) throw new RangeError(`charAt: index out of range: ${index}`);
  return chars[i] ?? '';
}

/** strings extension `replace`: the first `n` occurrences (all when n < 0); "" matches between chars. */
function replace(s: string, from: string, to: string, n = -1n): string {
  if (n === 0n) return s;
  if (from === '') {
    const chars = codePoints(s);
    let out = '';
    let count = 0n;
    for (let i = 0; i <= chars.length; i++) {
      if (n < 0n || count < n) {
        out += to;
        count++;
      }
      out += chars[i] ?? '';
    }
    return out;
  }
  if (n < 0n) return s.split(from).join(to);
  let out = '';
  let pos = 0;
  for (let count = 0n; count < n; count++) {
    const at = s.indexOf(from, pos);
    if (at < 0) break;
    out += s.slice(pos, at) + to;
    pos = at + from.length;
  }
  return out + s.slice(pos);
}

/** Rust regex replacement syntax (`$1`, `${1}`, `${name}`) → JS (`$1`, `$<name>`). */
function jsReplacement(replacement: string): string {
  return replacement.replace(/\$\{(\w+)\}/g, (_m, name: string) =>
    /^\d+$/.test(name) ? `$${name}` : `$<${name}>`,
  );
}

function regexReplace(s: string, pattern: string, replacement: string): string {
  return s.replace(new RegExp(pattern, 'gu'), jsReplacement(replacement));
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function base64Decode(s: string): Uint8Array {
  if (!BASE64.test(s)) throw new Error('base64Decode: invalid base64 input');
  return new Uint8Array(Buffer.from(s, 'base64'));
}

function merge(a: unknown, b: unknown): unknown {
  if (a instanceof Map || b instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const m of [a, b]) {
      if (m instanceof Map) for (const [k, v] of m) out.set(k, v);
      else for (const [k, v] of Object.entries(m as object)) out.set(k, v);
    }
    return out;
  }
  return { ...(a as object), ...(b as object) };
}

/** Register the extension functions on `env` (before it is cloned or used). */
export function registerExtensions(env: Environment): Environment {
  return env
    .registerFunction('default(ast, ast): dyn', defaultMacro)
    .registerFunction('dyn.with(ast, ast): dyn', withMacro)
    .registerFunction('map.mapValues(ast, ast): map', mapValuesMacro)
    .registerFunction('map.filterKeys(ast, ast): map', filterKeysMacro)
    .registerFunction('map.merge(map): map', merge)
    .registerFunction('json(string): dyn', parseJson)
    .registerFunction('json(bytes): dyn', (b: Uint8Array) => parseJson(Buffer.from(b).toString('utf8')))
    .registerFunction('toJson(dyn): string', (v: unknown) => JSON.stringify(celToJson(v)))
    .registerFunction('to_json(dyn): string', (v: unknown) => JSON.stringify(celToJson(v)))
    .registerFunction('string.charAt(int): string', charAt)
    .registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) =>
      replace(s, a, b),
    )
    .registerFunction('string.replace(string, string, int): string', replace)
    .registerFunction('string.reverse(): string', (s: string) => codePoints(s).reverse().join(''))
    .registerFunction('string.regexReplace(string, string): string', regexReplace)
    .registerFunction('string.base64Encode(): string', (s: string) =>
      Buffer.from(s, 'utf8').toString('base64'),
    )
    .registerFunction('bytes.base64Encode(): string', (b: Uint8Array) => Buffer.from(b).toString('base64'))
    .registerFunction('string.base64Decode(): bytes', base64Decode)
    .registerFunction('random(): double', () => Math.random());
}
