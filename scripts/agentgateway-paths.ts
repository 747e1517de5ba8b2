// Records where every field of agentgateway's config schema stands in Portcullis:
//   npx tsx scripts/agentgateway-paths.ts <a local copy of agentgateway's schema/config.json> [label]
// writes schema/agentgateway-paths.json: only the field paths and our status (implemented /
// unsupported), never their schema. Below an unsupported field nothing is listed (the whole subtree
// is refused with it). Fails when a path is `missing` (it would load as "unknown field"): add the
// field to the schema, or its name to src/config/schema/unsupported.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { schemaPathStatus } from '../src/config/schema-coverage.js';
import type { PathStatus } from '../src/config/schema-coverage.js';

type Json = { [k: string]: unknown };
const [input, label] = process.argv.slice(2);
if (!input) {
  console.error('usage: tsx scripts/agentgateway-paths.ts <agentgateway schema/config.json> [label]');
  process.exit(2);
}
const root = JSON.parse(readFileSync(input, 'utf8')) as Json;
const defs = (root.$defs ?? root.definitions ?? {}) as Record<string, Json>;

function deref(node: Json, seen: ReadonlySet<string>): { node: Json; seen: ReadonlySet<string> } | undefined {
  let n = node;
  let s = seen;
  while (typeof n.$ref === 'string') {
    const name = n.$ref.split('/').pop()!;
    if (s.has(name)) return undefined; // recursive type: its fields are listed once already
    s = new Set([...s, name]);
    n = defs[name] ?? {};
  }
  return { node: n, seen: s };
}

const out = new Map<string, PathStatus>();

function walk(node: Json, path: string, seen: ReadonlySet<string>, depth: number): void {
  const r = deref(node, seen);
  if (!r || depth > 24) return;
  const { node: n, seen: s } = r;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const sub of (n[key] as Json[] | undefined) ?? []) walk(sub, path, s, depth + 1);
  }
  if (n.items && typeof n.items === 'object') walk(n.items as Json, `${path}[]`, s, depth + 1);
  for (const [k, sub] of Object.entries((n.properties ?? {}) as Record<string, Json>)) {
    const p = path ? `${path}.${k}` : k;
    if (!out.has(p)) out.set(p, schemaPathStatus(p));
    if (out.get(p) === 'implemented') walk(sub, p, s, depth + 1);
  }
  if (n.additionalProperties && typeof n.additionalProperties === 'object' && path)
    walk(n.additionalProperties as Json, `${path}.*`, s, depth + 1);
}
walk(root, '', new Set(), 0);

const sorted = [...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
const missing = sorted.filter(([, v]) => v === 'missing');
const file = resolve(import.meta.dirname, '..', 'schema', 'agentgateway-paths.json');
const count = (v: PathStatus) => sorted.filter(([, s]) => s === v).length;
writeFileSync(
  file,
  `${JSON.stringify(
    {
      source: label ?? 'agentgateway schema/config.json',
      paths: Object.fromEntries(sorted.filter(([, v]) => v !== 'missing')),
    },
    null,
    1,
  )}\n`,
);
console.log(
  `wrote ${file}: ${count('implemented')} implemented, ${count('unsupported')} unsupported, ${missing.length} missing`,
);
for (const [p] of missing) console.log(`missing: ${p}`);
process.exit(missing.length ? 1 : 0);
