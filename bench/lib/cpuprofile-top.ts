/**
 * Summarize a V8 .cpuprofile (from `--cpu-prof`): self time by function, by file and by package, and
 * total (inclusive) time of the gateway's own functions. Used to say what dominates the overhead:
 *   npx tsx bench/lib/cpuprofile-top.ts <file.cpuprofile> [--top 25]
 */
import { readFileSync } from 'node:fs';
import { isEntry } from './child.js';
import { numArg, table } from './stats.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** `node_modules/<pkg>` or `src/<folder>` or `node:internal`, for grouping. */
export function area(url: string): string {
  if (!url) return '(native/gc/idle)';
  if (url.startsWith('node:')) return 'node:internal';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  const src = /\/(src|dist|bench|test)\/([^/]+)/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  return url.replace(/^file:\/\//, '');
}

/** The gateway's own code: src/ (through tsx) or dist/ (the built CLI), not a dependency. */
function isProject(url: string): boolean {
  return !url.includes('/node_modules/') && /\/(src|dist)\//.test(url);
}

/** `src/mcp/transport/streamable-http.ts`, `undici/lib/core/util.js`, `node:internal/…`: short but unambiguous. */
function where(f: CallFrame): string {
  if (!f.url) return '';
  const m = /node_modules\/(.*)$|\/((?:src|dist|bench|test)\/.*)$/.exec(f.url);
  const file = m ? (m[1] ?? m[2]) : f.url.replace(/^file:\/\//, '');
  return `${file}:${f.lineNumber + 1}`;
}

export function summarize(p: Profile, top: number): string {
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs.entries()]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((a, [, v]) => a + v, 0);
  const busy = total - idle;

  const fnSelf = new Map<string, number>();
  const areaSelf = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName === '(idle)') continue;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${where(f)}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
    areaSelf.set(area(f.url), (areaSelf.get(area(f.url)) ?? 0) + us);
    // Inclusive time for project functions: credit every distinct src/ frame on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)?.callFrame;
      if (!cf || !isProject(cf.url)) continue;
      const k = `${cf.functionName || '(anonymous)'} ${where(cf)}`;
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const pct = (us: number): string => `${((100 * us) / busy).toFixed(1)}%`;
  const rows = (m: Map<string, number>, n: number): string[][] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => [k, pct(v), (v / 1000).toFixed(0)]);
  return [
    `busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled`,
    '',
    table([['self time by package / folder', 'share', 'ms'], ...rows(areaSelf, top)]),
    '',
    table([['self time by function', 'share', 'ms'], ...rows(fnSelf, top)]),
    '',
    table([['inclusive time, project functions (src/, dist/)', 'share', 'ms'], ...rows(inclusive, top)]),
  ].join('\n');
}

if (isEntry(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: cpuprofile-top.ts <file.cpuprofile> [--top N]');
  console.log(
    summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, numArg(process.argv, '--top', 25)),
  );
}
