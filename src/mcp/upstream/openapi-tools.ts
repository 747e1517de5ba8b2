/**
 * OpenAPI 3 → MCP tools: every operation with an `operationId` is a
 * tool of that name; its input schema has the top-level keys `path`, `query`, `header` (one property per
 * parameter) and `body` (the `application/json` request body). Local `$ref`s are inlined; a recursive
 * reference becomes `{}` (any value). Built once per schema document and cached by the factory, with
 * each tool's argument check (openapi-args.ts: compiled on the tool's first call, then kept).
 */
import { argumentChecker, type ArgumentCheck } from './openapi-args.js';

export interface OpenApiTool {
  readonly name: string;
  readonly description: string;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The path template, e.g. `/pets/{petId}`. */
  readonly path: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
  /** The declared parameter names: only these are sent (header names lower-cased). */
  readonly parameters: {
    readonly path: readonly string[];
    readonly query: readonly string[];
    readonly header: readonly string[];
  };
  /** Validates `arguments` against `inputSchema`. */
  readonly check: ArgumentCheck;
}

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const MAX_DEPTH = 64;

export function openApiTools(doc: unknown): OpenApiTool[] {
  if (!isObject(doc)) throw new Error('the OpenAPI schema is not an object');
  if (!isObject(doc.paths)) throw new Error('the OpenAPI schema has no "paths"');
  const tools: OpenApiTool[] = [];
  const names = new Set<string>();
  const compile = argumentChecker();
  for (const [path, rawItem] of Object.entries(doc.paths)) {
    const item = deref(doc, rawItem);
    if (!isObject(item)) continue;
    const shared = parameters(doc, item.parameters);
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op) || typeof op.operationId !== 'string' || op.operationId === '') continue;
      const name = op.operationId;
      if (names.has(name)) throw new Error(`duplicate operationId "${name}"`);
      names.add(name);
      // Operation-level parameters override path-level ones with the same name and location.
      const own = parameters(doc, op.parameters);
      const merged = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own];
      const schema = inputSchema(doc, merged, op.requestBody);
      const declared = (where: Parameter['in']) => merged.filter((p) => p.in === where).map((p) => p.name);
      tools.push({
        name,
        description: text(op.description) ?? text(op.summary) ?? `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        inputSchema: schema,
        parameters: {
          path: declared('path'),
          query: declared('query'),
          header: declared('header').map((h) => h.toLowerCase()),
        },
        check: compile(name, schema),
      });
    }
  }
  return tools;
}

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required: boolean;
  readonly schema: Json;
}

function parameters(doc: Json, raw: unknown): Parameter[] {
  if (!Array.isArray(raw)) return [];
  const out: Parameter[] = [];
  for (const r of raw) {
    const p = deref(doc, r);
    if (!isObject(p) || typeof p.name !== 'string') continue;
    if (p.in !== 'path' && p.in !== 'query' && p.in !== 'header') continue; // cookies are not supported
    const schema: Json = isObject(p.schema) ? (inline(doc, p.schema, [], 0) as Json) : { type: 'string' };
    const description = text(p.description);
    out.push({
      name: p.name,
      in: p.in,
      required: p.in === 'path' || p.required === true,
      schema: description && schema.description === undefined ? { ...schema, description } : schema,
    });
  }
  return out;
}

function inputSchema(doc: Json, params: readonly Parameter[], rawBody: unknown): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const where of ['path', 'query', 'header'] as const) {
    const group = params.filter((p) => p.in === where);
    if (group.length === 0) continue;
    const req = group.filter((p) => p.required).map((p) => p.name);
    properties[where] = {
      type: 'object',
      properties: Object.fromEntries(group.map((p) => [p.name, p.schema])),
      ...(req.length > 0 ? { required: req } : {}),
    };
    if (req.length > 0) required.push(where);
  }
  const body = deref(doc, rawBody);
  if (isObject(body) && isObject(body.content)) {
    const media = Object.entries(body.content).find(([type]) => isJsonMediaType(type));
    if (media && isObject(media[1])) {
      const schema = isObject(media[1].schema) ? inline(doc, media[1].schema, [], 0) : {};
      const description = text(body.description);
      properties.body =
        description && isObject(schema) && !schema.description ? { ...schema, description } : schema;
      if (body.required === true) required.push('body');
    }
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

function isJsonMediaType(type: string): boolean {
  const t = type.split(';')[0]!.trim().toLowerCase();
  return t === 'application/json' || t.endsWith('+json');
}

/** Follow a `$ref` at the top of `value` (one level, for parameters, path items and bodies). */
function deref(doc: Json, value: unknown, seen: readonly string[] = []): unknown {
  if (!isObject(value) || typeof value.$ref !== 'string') return value;
  if (seen.includes(value.$ref) || seen.length > MAX_DEPTH) return {};
  return deref(doc, resolvePointer(doc, value.$ref), [...seen, value.$ref]);
}

/** Inline every local `$ref` in a schema; sibling keywords of a `$ref` are kept. */
function inline(doc: Json, value: unknown, stack: readonly string[], depth: number): unknown {
  if (depth > MAX_DEPTH) return {};
  if (Array.isArray(value)) return value.map((v) => inline(doc, v, stack, depth + 1));
  if (!isObject(value)) return value;
  if (typeof value.$ref === 'string') {
    const ref = value.$ref;
    if (stack.includes(ref)) return {};
    const { $ref: _ref, ...siblings } = value;
    const target = inline(doc, resolvePointer(doc, ref), [...stack, ref], depth + 1);
    const resolved = isObject(target) ? target : {};
    return Object.keys(siblings).length > 0
      ? { ...resolved, ...(inline(doc, siblings, stack, depth + 1) as Json) }
      : resolved;
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) out[k] = inline(doc, v, stack, depth + 1);
  return out;
}

function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#')) throw new Error(`external $ref "${ref}" is not supported`);
  const parts = ref
    .slice(1)
    .split('/')
    .filter((p, i) => !(i === 0 && p === ''))
    .map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur: unknown = doc;
  for (const part of parts) {
    if (!isObject(cur) && !Array.isArray(cur)) throw new Error(`unresolvable $ref "${ref}"`);
    cur = (cur as Json)[part];
  }
  if (cur === undefined) throw new Error(`unresolvable $ref "${ref}"`);
  return cur;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
