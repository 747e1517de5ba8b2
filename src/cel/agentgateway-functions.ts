/**
 * agentgateway's functions that neither cel-js nor library.ts had (its schema/cel-functions.md):
 * `jsonField`, `form.encode` / `form.decode`, `variables()`, the header-view methods on
 * `request.headers` (`join() raw() split() redacted() cookie(name)`) and the query accessors on
 * `request.pathAndQuery` / `request.uri` (`query(name) addQuery(name, value) setQuery(name, value)`).
 *
 * Headers reach CEL already combined (node joins repeated header lines with `, `), so a header view
 * has one entry per name: `raw()` is that entry in a list, `split()` splits it on commas.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { toCelValue } from './values.js';

class FormNamespace {}

/** Headers whose values `redacted()` hides (credentials and session state). */
const SENSITIVE_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
]);

const REDACTED = '<redacted>';

function missing(key: string): Error {
  return Object.assign(new Error(`No such key: ${key}`), { code: 'no_such_key' });
}

const textOf = (v: string | Uint8Array): string =>
  typeof v === 'string' ? v : Buffer.from(v).toString('utf8');

/** `jsonField(text, "field")`: one top-level field of a JSON object, without keeping the rest. */
function jsonField(v: string | Uint8Array, key: string): unknown {
  const parsed: unknown = JSON.parse(textOf(v));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('jsonField: the JSON value is not an object');
  if (!Object.prototype.hasOwnProperty.call(parsed, key)) throw missing(key);
  return toCelValue((parsed as Record<string, unknown>)[key]);
}

/** `form.decode("a=1&a=2&b=x+y")` → `{"a": ["1", "2"], "b": "x y"}` (`+` is a space). */
function formDecode(v: string | Uint8Array): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, value] of new URLSearchParams(textOf(v))) {
    const prev = out.get(k);
    if (prev === undefined) out.set(k, value);
    else if (Array.isArray(prev)) prev.push(value);
    else out.set(k, [prev, value]);
  }
  return out;
}

/** `form.encode({"scope": "openid profile"})` → `scope=openid+profile`; keys sorted, lists repeated, nulls skipped. */
function formEncode(m: unknown): string {
  const entries: [string, unknown][] =
    m instanceof Map ? [...m].map(([k, v]) => [String(k), v]) : Object.entries(m as object);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const params = new URLSearchParams();
  for (const [k, v] of entries) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === null || item === undefined) continue;
      params.append(k, scalarText(item, k));
    }
  }
  return params.toString();
}

function scalarText(v: unknown, key: string): string {
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'number')
    return String(v);
  throw new Error(`form.encode: the value of "${key}" is not a string, number or bool`);
}

// ---- header views ----

type Headers = Readonly<Record<string, string>> | ReadonlyMap<string, unknown>;

function headerEntries(h: Headers): [string, unknown][] {
  return h instanceof Map ? [...h].map(([k, v]) => [String(k), v]) : Object.entries(h);
}

function mapHeaders(h: Headers, f: (name: string, value: unknown) => unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of headerEntries(h)) out.set(k, f(k, v));
  return out;
}

const entriesOf = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v)]);
const splitValues = (v: unknown): string[] => entriesOf(v).flatMap((e) => e.split(',').map((x) => x.trim()));

function cookie(h: Headers, name: string): string {
  const raw = h instanceof Map ? h.get('cookie') : (h as Record<string, string>)['cookie'];
  for (const entry of raw === undefined ? [] : entriesOf(raw)) {
    for (const part of entry.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
  }
  throw missing(name);
}

// ---- query accessors ----

function splitTarget(s: string): { base: string; query: string; fragment: string } {
  const hash = s.indexOf('#');
  const fragment = hash < 0 ? '' : s.slice(hash);
  const rest = hash < 0 ? s : s.slice(0, hash);
  const q = rest.indexOf('?');
  return q < 0
    ? { base: rest, query: '', fragment }
    : { base: rest.slice(0, q), query: rest.slice(q + 1), fragment };
}

function query(s: string, name: string): string[] {
  const values = new URLSearchParams(splitTarget(s).query).getAll(name);
  if (values.length === 0) throw missing(name);
  return values;
}

function withQuery(s: string, name: string, value: string, replace: boolean): string {
  const t = splitTarget(s);
  const params = new URLSearchParams(t.query);
  if (replace) params.set(name, value);
  else params.append(name, value);
  return `${t.base}?${params.toString()}${t.fragment}`;
}

// ---- variables() ----

let evaluating: object | undefined;

/**
 * `variables()` returns every variable of the running evaluation. cel-js hands functions only their
 * arguments, so expressions that call it are evaluated through this wrapper, which makes the
 * (synchronous) evaluation's activation visible to the function for exactly that call.
 */
export function withVariables<A extends object, R>(evaluate: (activation: A) => R): (activation: A) => R {
  return function celExpressionWithVariables(activation: A): R {
    const outer = evaluating;
    evaluating = activation;
    try {
      return evaluate(activation);
    } finally {
      evaluating = outer;
    }
  };
}

/** Whether an expression calls `variables()` (then it is compiled with `withVariables`). */
export const callsVariables = (source: string): boolean => /\bvariables\s*\(\s*\)/.test(source);

function variables(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (evaluating) for (const [k, v] of Object.entries(evaluating)) if (v !== undefined) out.set(k, v);
  return out;
}

export function registerAgentgatewayFunctions(env: Environment): Environment {
  env.registerType('portcullis.nsform', { ctor: FormNamespace, fields: {} });
  env.registerConstant('form', 'portcullis.nsform', new FormNamespace());
  return env
    .registerFunction('jsonField(string, string): dyn', jsonField)
    .registerFunction('jsonField(bytes, string): dyn', jsonField)
    .registerFunction('portcullis.nsform.decode(string): map<string, dyn>', (_n: unknown, s: string) =>
      formDecode(s),
    )
    .registerFunction('portcullis.nsform.decode(bytes): map<string, dyn>', (_n: unknown, b: Uint8Array) =>
      formDecode(b),
    )
    .registerFunction('portcullis.nsform.encode(map): string', (_n: unknown, m: unknown) => formEncode(m))
    .registerFunction('variables(): map<string, dyn>', variables)
    .registerFunction('map.join(): map<string, dyn>', (h: Headers) =>
      mapHeaders(h, (_k, v) => splitValues(v).join(',')),
    )
    .registerFunction('map.raw(): map<string, dyn>', (h: Headers) => mapHeaders(h, (_k, v) => entriesOf(v)))
    .registerFunction('map.split(): map<string, dyn>', (h: Headers) =>
      mapHeaders(h, (_k, v) => splitValues(v)),
    )
    .registerFunction('map.redacted(): map<string, dyn>', (h: Headers) =>
      mapHeaders(h, (k, v) =>
        SENSITIVE_HEADERS.has(k.toLowerCase()) ? (Array.isArray(v) ? v.map(() => REDACTED) : REDACTED) : v,
      ),
    )
    .registerFunction('map.cookie(string): string', cookie)
    .registerFunction('string.query(string): list<string>', query)
    .registerFunction('string.addQuery(string, string): string', (s: string, n: string, v: string) =>
      withQuery(s, n, v, false),
    )
    .registerFunction('string.setQuery(string, string): string', (s: string, n: string, v: string) =>
      withQuery(s, n, v, true),
    );
}
