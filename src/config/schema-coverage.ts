/**
 * Where a path of agentgateway's config schema (`binds[].listeners[].routes[].policies.cors`) lands in
 * ours: `implemented` (our schema has the key), `unsupported` (the key is listed in
 * ./schema/unsupported.ts, so loading it says `not supported yet: <key>`), or `missing` (it would be an
 * "unknown field" — a bug). scripts/agentgateway-paths.ts records this for every path in
 * schema/agentgateway-paths.json; test/config/agentgateway-paths.test.ts loads each one.
 */
import type { z } from 'zod';
import { rootConfig } from './schema/root.js';
import { UNSUPPORTED_KEYS } from './schema/unsupported.js';
import { def, unwrap } from './zod-issues.js';

export type PathStatus = 'implemented' | 'unsupported' | 'missing';

/** `a[].b.*.c` → ['a', '[]', 'b', '*', 'c'] */
export function splitSchemaPath(path: string): string[] {
  return path.split('.').flatMap((seg) => {
    const m = /^(.*?)((?:\[\])*)$/.exec(seg)!;
    return [m[1]!, ...Array.from({ length: m[2]!.length / 2 }, () => '[]')].filter((s) => s !== '');
  });
}

/** Every schema reachable as the value of `key` below `node` (through unions). */
function childSchemas(node: z.ZodType, key: string): z.ZodType[] {
  const d = def(unwrap(node));
  if (d.type === 'union') return (d.options ?? []).flatMap((o) => childSchemas(o, key));
  if (key === '[]') return d.type === 'array' ? [d.element!] : d.type === 'tuple' ? [...(d.items ?? [])] : [];
  if (key === '*') return d.type === 'record' ? [d.valueType!] : [];
  if (d.type === 'object' && d.shape?.[key]) return [d.shape[key]];
  if (d.type === 'record' && d.valueType) return [d.valueType];
  return [];
}

function isUnsupportedAt(node: z.ZodType, key: string): boolean {
  const u = unwrap(node);
  if (UNSUPPORTED_KEYS.get(u)?.names.includes(key)) return true;
  const d = def(u);
  return d.type === 'union' && (d.options ?? []).some((o) => isUnsupportedAt(o, key));
}

export function schemaPathStatus(path: string, root: z.ZodType = rootConfig): PathStatus {
  let nodes: z.ZodType[] = [root];
  for (const seg of splitSchemaPath(path)) {
    // A free-form value (`resourceMetadata`) accepts whatever lies below it.
    if (nodes.some((n) => ['unknown', 'any'].includes(def(unwrap(n)).type))) return 'implemented';
    const next = nodes.flatMap((n) => childSchemas(n, seg));
    if (next.length === 0) return nodes.some((n) => isUnsupportedAt(n, seg)) ? 'unsupported' : 'missing';
    nodes = next;
  }
  return 'implemented';
}
