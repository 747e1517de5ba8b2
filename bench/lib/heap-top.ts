/**
 * What a V8 heap snapshot holds, by constructor (or closure/string/array kind): count and self size,
 * the largest first; with two snapshots, the growth from the first to the second. Used to find what each
 * idle session keeps (hotpath.bench.ts `--heap-snapshot <dir>` writes the pair):
 *   npx tsx bench/lib/heap-top.ts <after.heapsnapshot> [<before.heapsnapshot>] [--top 30]
 */
import { readFileSync } from 'node:fs';
import { isEntry } from './child.js';
import { numArg, table } from './stats.js';

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: unknown[] } };
  readonly nodes: number[];
  readonly strings: string[];
}

/** name → [count, self bytes] */
export function byConstructor(file: string): Map<string, [number, number]> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0] as string[];
  const [iType, iName, iSize] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const out = new Map<string, [number, number]>();
  for (let i = 0; i < s.nodes.length; i += f.length) {
    const type = types[s.nodes[i + iType] as number] ?? '?';
    const name =
      type === 'object' || type === 'closure'
        ? `${s.strings[s.nodes[i + iName] as number]} (${type})`
        : `(${type})`;
    const e = out.get(name) ?? [0, 0];
    e[0]++;
    e[1] += s.nodes[i + iSize] as number;
    out.set(name, e);
  }
  return out;
}

if (isEntry(import.meta.url)) {
  const files = process.argv.slice(2).filter((a) => !a.startsWith('--') && !/^\d+$/.test(a));
  const top = numArg(process.argv, '--top', 30);
  const after = byConstructor(files[0] as string);
  const before = files[1] ? byConstructor(files[1]) : new Map<string, [number, number]>();
  const rows = [...after].map(([name, [n, b]]) => {
    const [n0, b0] = before.get(name) ?? [0, 0];
    return { name, n: n - n0, bytes: b - b0 };
  });
  rows.sort((x, y) => y.bytes - x.bytes);
  const total = rows.reduce((a, r) => a + r.bytes, 0);
  console.log(`${files[1] ? 'growth' : 'total'}: ${(total / 2 ** 20).toFixed(1)} MB\n`);
  console.log(
    table([
      ['constructor / kind', 'count', 'self bytes', 'share'],
      ...rows
        .slice(0, top)
        .map((r) => [r.name, String(r.n), String(r.bytes), `${((100 * r.bytes) / total).toFixed(1)}%`]),
    ]),
  );
}
