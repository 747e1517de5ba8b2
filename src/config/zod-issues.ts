/**
 * Turns zod issues into messages a person can act on. Walks the schema along each issue's path so it
 * can (a) list the valid keys and suggest the closest one for an unknown key, (b) say "not supported
 * yet" for names the format knows but Portcullis does not implement, and (c) collapse a union failure
 * into ONE message ("expected exactly one of stdio, mcp, sse, openapi") — or, when the input clearly
 * picked one branch, report that branch's own errors with their full paths.
 */
import type { z } from 'zod';
import type { PendingIssue } from './errors.js';
import { formatPath, valueAt } from './path.js';
import { UNSUPPORTED_KEYS, UNSUPPORTED_PREFIXES, UNSUPPORTED_VALUES } from './schema/unsupported.js';
import type { UnsupportedNames } from './schema/unsupported.js';
import { closest } from './suggest.js';
import type { ConfigPath } from './types.js';

type Issue = z.core.$ZodIssue;

/** The parts of zod's internal schema definition this module reads. */
export interface Def {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly element?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly valueType?: z.ZodType;
  readonly items?: readonly z.ZodType[];
  readonly in?: z.ZodType;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);

export function def(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strip optional/default/… wrappers. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const d = def(s);
    if (WRAPPERS.has(d.type) && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

/**
 * The schema at `path` below `schema`. zod reports the issues of a union's only plausible branch
 * directly (no `invalid_union`), so a union on the way is crossed through the option that has the key.
 */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const seg of path) {
    if (!s) return undefined;
    let d = def(unwrap(s));
    if (d.type === 'union') {
      const option = d.options?.map(unwrap).find((o) => {
        const od = def(o);
        return typeof seg === 'number'
          ? od.type === 'array' || od.type === 'tuple'
          : !!od.shape?.[seg as string];
      });
      if (!option) return undefined;
      d = def(option);
    }
    if (d.type === 'object') s = d.shape?.[String(seg)];
    else if (d.type === 'array') s = d.element;
    else if (d.type === 'record') s = d.valueType;
    else if (d.type === 'tuple') s = d.items?.[Number(seg)];
    else return undefined;
  }
  return s;
}

/**
 * @param schema the schema the issue paths are relative to
 * @param input  the whole document (as plain data)
 * @param base   where `schema` sits inside the document
 */
export function convertIssues(
  issues: readonly Issue[],
  schema: z.ZodType,
  input: unknown,
  base: ConfigPath = [],
): PendingIssue[] {
  const out: PendingIssue[] = [];
  for (const issue of issues) {
    const path: ConfigPath = [...base, ...(issue.path as (string | number)[])];
    const node = schemaAt(schema, issue.path);
    const value = valueAt(input, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const obj = node ? branchOf(unwrap(node), value) : undefined;
        const valid = obj ? objectKeys(obj).filter((k) => k !== '$schema') : [];
        const unsupported = obj ? UNSUPPORTED_KEYS.get(obj) : undefined;
        for (const key of issue.keys) {
          const guess = unsupported?.names.includes(key) ? undefined : closest(key, valid);
          out.push({
            path: [...path, key],
            atKey: true,
            message: unknownKey(key, valid, unsupported),
            ...(guess ? { meant: [...path, guess] } : {}),
          });
        }
        break;
      }
      case 'invalid_union':
        out.push(...unionIssues(issue, node ? unwrap(node) : undefined, input, path, value));
        break;
      case 'invalid_type':
        out.push({ path, message: invalidType(issue.expected, value, path) });
        break;
      case 'invalid_value': {
        const unsupported = node ? UNSUPPORTED_VALUES.get(unwrap(node)) : undefined;
        if (unsupported && typeof value === 'string' && unsupported.names.includes(value)) {
          out.push({ path, message: notSupported(value, unsupported) });
        } else {
          out.push({
            path,
            message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}`,
          });
        }
        break;
      }
      case 'too_small':
        out.push({ path, message: tooSmall(issue.origin, Number(issue.minimum), issue.inclusive !== false) });
        break;
      case 'too_big':
        out.push({ path, message: tooBig(issue.origin, Number(issue.maximum), issue.inclusive !== false) });
        break;
      case 'invalid_format': {
        const prefixes = node ? UNSUPPORTED_PREFIXES.get(unwrap(node)) : undefined;
        const prefix =
          typeof value === 'string' ? prefixes?.names.find((p) => value.startsWith(p)) : undefined;
        if (prefix) {
          out.push({ path, message: notSupported(value as string, prefixes!) });
          break;
        }
        const text = issue.message.startsWith('Invalid') ? `expected a valid ${issue.format}` : issue.message;
        out.push({ path, message: `${text}, got ${describe(value)}` });
        break;
      }
      default:
        out.push({ path, message: issue.message });
    }
  }
  // `cmdd: x` already says "did you mean `cmd`?"; "missing required field `cmd`" adds nothing.
  const meant = new Set(out.flatMap((i) => (i.meant ? [formatPath(i.meant)] : [])));
  return out.filter(
    (i) => !(i.message.startsWith('missing required field') && meant.has(formatPath(i.path))),
  );
}

/** Keys an object schema accepts; for a union of objects, the keys of every option. */
function objectKeys(schema: z.ZodType): string[] {
  const d = def(schema);
  if (d.type === 'union') return [...new Set((d.options ?? []).flatMap((o) => objectKeys(unwrap(o))))];
  return Object.keys(d.shape ?? {});
}

function unknownKey(
  key: string,
  valid: readonly string[],
  unsupported: UnsupportedNames | undefined,
): string {
  if (unsupported?.names.includes(key)) return notSupported(key, unsupported);
  const guess = closest(key, valid);
  const hint = guess ? `, did you mean \`${guess}\`?` : '';
  const list = valid.length ? ` (valid: ${valid.join(', ')})` : '';
  return `unknown field \`${key}\`${hint}${list}`;
}

function notSupported(name: string, u: UnsupportedNames): string {
  return u.what ? `not supported yet: ${name} (${u.what})` : `not supported yet: ${name}`;
}

// ---- unions ----

/**
 * The object branch of a union that `value` means by its distinguishing keys (`stdio:` → the stdio
 * target), or the union itself: zod reports a lone branch's unknown keys at the union's path.
 */
function branchOf(node: z.ZodType, value: unknown): z.ZodType {
  if (def(node).type !== 'union' || !isPlainObject(value)) return node;
  const meant = branches(node).filter(
    (b) => b.kind === 'object' && b.keys.length > 0 && b.keys.every((k) => k in value),
  );
  return meant.length === 1 ? meant[0]!.schema : node;
}

interface Branch {
  readonly schema: z.ZodType;
  readonly kind: string;
  /** Object branches: the keys that tell this branch from the others. */
  readonly keys: readonly string[];
  readonly label: string;
}

function branches(union: z.ZodType): Branch[] {
  const options = (def(union).options ?? []).map(unwrap);
  const objects = options.filter((o) => def(o).type === 'object');
  const required = (o: z.ZodType): string[] =>
    Object.entries(def(o).shape ?? {})
      .filter(([, s]) => !['optional', 'default'].includes(def(s).type))
      .map(([k]) => k);
  const all = (o: z.ZodType): string[] => Object.keys(def(o).shape ?? {});
  const inEvery = (k: string, pick: (o: z.ZodType) => string[]): boolean =>
    objects.every((o) => pick(o).includes(k));
  return options.map((o) => {
    const kind = def(o).type;
    if (kind !== 'object') return { schema: o, kind, keys: [], label: typeLabel(o) };
    let keys = required(o).filter((k) => !inEvery(k, required));
    if (keys.length === 0) keys = all(o).filter((k) => !inEvery(k, all));
    return { schema: o, kind, keys, label: keys.join(' + ') };
  });
}

function typeLabel(s: z.ZodType): string {
  const kind = def(s).type;
  const base =
    kind === 'string'
      ? 'a string'
      : kind === 'number'
        ? 'a number'
        : kind === 'boolean'
          ? 'a boolean'
          : kind === 'array' || kind === 'tuple'
            ? 'a list'
            : `a ${kind}`;
  return s.description ?? base;
}

function unionMessage(bs: readonly Branch[]): string {
  const objs = bs.filter((b) => b.kind === 'object');
  const prims = bs.filter((b) => b.kind !== 'object').map((b) => b.label);
  const objPart = objs.every((b) => b.keys.length === 1)
    ? `exactly one of ${objs.map((b) => b.label).join(', ')}`
    : `either ${objs.map((b) => b.label).join(' or ')}`;
  if (objs.length === 0) return `expected ${prims.join(' or ')}`;
  if (prims.length === 0) return `expected ${objPart}`;
  return `expected ${prims.join(' or ')}, or an object with ${objPart}`;
}

function matchesType(kind: string, value: unknown): boolean {
  switch (kind) {
    case 'object':
      return isPlainObject(value);
    case 'array':
    case 'tuple':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return false;
  }
}

function unionIssues(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  union: z.ZodType | undefined,
  input: unknown,
  path: ConfigPath,
  value: unknown,
): PendingIssue[] {
  if (!union || def(union).type !== 'union' || issue.errors.length === 0) {
    return [{ path, message: issue.message }];
  }
  if (value === undefined) return [{ path, message: invalidType('union', value, path) }];
  const bs = branches(union);
  const unsupported = UNSUPPORTED_KEYS.get(union);
  if (isPlainObject(value)) {
    const bad = unsupported?.names.find((n) => n in value);
    if (bad && unsupported)
      return [{ path: [...path, bad], atKey: true, message: notSupported(bad, unsupported) }];
  }
  // Which branch did the input mean? Objects: the one whose distinguishing keys cover every
  // distinguishing key present (so `{issuer, jwks, providers}` mixes two shapes and picks neither).
  let chosen = -1;
  if (isPlainObject(value)) {
    const present = new Set(bs.flatMap((b) => b.keys).filter((k) => k in value));
    const covering = bs
      .map((b, i) => ({ i, b }))
      .filter(
        ({ b }) => b.kind === 'object' && present.size > 0 && [...present].every((k) => b.keys.includes(k)),
      );
    if (covering.length === 1) chosen = covering[0]!.i;
    // A single object branch (e.g. string | {file}) is meant whenever the input is an object.
    if (present.size === 0 && bs.filter((b) => b.kind === 'object').length === 1) {
      chosen = bs.findIndex((b) => b.kind === 'object');
    }
  } else {
    const typed = bs.map((b, i) => (matchesType(b.kind, value) ? i : -1)).filter((i) => i !== -1);
    if (typed.length === 1) chosen = typed[0]!;
  }
  if (chosen !== -1 && issue.errors[chosen]) {
    return convertIssues(issue.errors[chosen]!, bs[chosen]!.schema, input, path);
  }
  if (isPlainObject(value)) {
    // A misspelt branch key (`stdoi:`) deserves a did-you-mean rather than "expected one of".
    const known = objectKeys(union);
    const typos = Object.keys(value).filter((k) => !known.includes(k) && closest(k, known) !== undefined);
    if (typos.length > 0) {
      return typos.map((k) => ({
        path: [...path, k],
        atKey: true,
        message: unknownKey(k, known, undefined),
      }));
    }
  }
  let message = unionMessage(bs);
  if (isPlainObject(value)) {
    const known = objectKeys(union);
    const present = [...new Set(bs.flatMap((b) => b.keys))].filter((k) => k in value);
    const unknown = Object.keys(value).filter((k) => !known.includes(k));
    if (present.length > 1) message += `, got ${andList(present)}`;
    else if (present.length === 0) message += unknown.length ? `, got ${andList(unknown)}` : ', got none';
  } else {
    message += `, got ${describe(value)}`;
  }
  return [{ path, message }];
}

// ---- plain messages ----

/** `a`, `a and b`, `a, b and c` */
function andList(items: readonly string[]): string {
  return items.length <= 1
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function invalidType(expected: string, value: unknown, path: ConfigPath): string {
  if (value === undefined) {
    const last = path[path.length - 1];
    return last === undefined ? 'the config is empty' : `missing required field \`${String(last)}\``;
  }
  const what =
    expected === 'int'
      ? 'an integer'
      : expected === 'array' || expected === 'tuple'
        ? 'a list'
        : expected === 'object' || expected === 'record'
          ? 'a mapping'
          : /^[aeiou]/.test(expected)
            ? `an ${expected}`
            : `a ${expected}`;
  return `expected ${what}, got ${describe(value)}`;
}

function tooSmall(origin: string, min: number, inclusive: boolean): string {
  if (origin === 'array') return min <= 1 ? 'must not be empty' : `must have at least ${min} items`;
  if (origin === 'string') return min <= 1 ? 'must not be empty' : `must be at least ${min} characters`;
  return `must be ${inclusive ? '≥' : '>'} ${min}`;
}

function tooBig(origin: string, max: number, inclusive: boolean): string {
  if (origin === 'array') return `must have at most ${max} items`;
  if (origin === 'string') return `must be at most ${max} characters`;
  return `must be ${inclusive ? '≤' : '<'} ${max}`;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const s = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(s);
  }
  return String(value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
