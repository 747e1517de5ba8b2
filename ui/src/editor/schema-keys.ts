/**
 * The keys the config's JSON Schema (schema/config.schema.json) allows at a YAML path, for completion.
 * Follows `$ref`, `anyOf`/`oneOf`/`allOf` (the union of their keys), `items` for `[]` and
 * `additionalProperties` for map entries.
 */
import type { YamlPath } from './yaml-path.js';

export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly definitions?: Readonly<Record<string, JsonSchema>>;
}

export interface SchemaKey {
  readonly name: string;
  readonly type: string;
  readonly description: string | undefined;
}

export function keysAt(root: JsonSchema, path: YamlPath): SchemaKey[] {
  let nodes = expand(root, root);
  for (const step of path) {
    const next: JsonSchema[] = [];
    for (const n of nodes) {
      if (step === '[]') {
        if (n.items) next.push(...expand(root, n.items));
      } else if (n.properties?.[step]) next.push(...expand(root, n.properties[step]));
      else if (typeof n.additionalProperties === 'object') next.push(...expand(root, n.additionalProperties));
    }
    nodes = next;
    if (nodes.length === 0) return [];
  }
  const keys = new Map<string, SchemaKey>();
  for (const n of nodes)
    for (const [name, s] of Object.entries(n.properties ?? {})) {
      if (keys.has(name)) continue;
      const parts = expand(root, s);
      const desc = s.description ?? parts.find((p) => p.description)?.description;
      keys.set(name, { name, type: typeName(parts), description: desc });
    }
  return [...keys.values()];
}

/** A schema with its `$ref` and combinators resolved into the plain schemas it may be. */
function expand(root: JsonSchema, s: JsonSchema, depth = 0): JsonSchema[] {
  if (depth > 20) return [];
  if (s.$ref) {
    const name = /^#\/definitions\/(.+)$/.exec(s.$ref)?.[1];
    const target = name ? root.definitions?.[name] : undefined;
    return target ? expand(root, target, depth + 1) : [];
  }
  const branches = [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])];
  if (branches.length === 0) return [s];
  return [s, ...branches.flatMap((b) => expand(root, b, depth + 1))];
}

function typeName(parts: readonly JsonSchema[]): string {
  const types = new Set<string>();
  for (const p of parts) {
    if (p.enum) types.add(p.enum.map((e) => JSON.stringify(e)).join(' | '));
    else if (Array.isArray(p.type)) p.type.forEach((t: string) => types.add(t));
    else if (typeof p.type === 'string') types.add(p.type);
  }
  return [...types].join(' | ') || 'any';
}
