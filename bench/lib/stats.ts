/** Small numeric and printing helpers shared by the benches (no timing assertions anywhere). */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** Value at quantile `q` (0…1) of an ascending array (nearest rank). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

export function median(values: readonly number[]): number {
  return quantile(Float64Array.from(values).sort(), 0.5);
}

/** Fixed-point with `digits`, or `—` for NaN/∞ (a scenario that did not run). */
export function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '—';
}

export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—';
}

/** Plain-text table: first row is the header; numeric-looking cells are right-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const numeric = (c: string) => /^[-+]?[\d,.]+[×%]?$|^—$/.test(c);
  const line = (r: readonly string[]) =>
    r.map((c, i) => (numeric(c) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  const [head, ...body] = rows;
  if (!head) return '';
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** One line about the machine, printed first: numbers from a shared 2-core box need this context. */
export function machineLine(): string {
  const c = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `node ${process.version}, ${process.platform}/${process.arch}, ${c.length} cpu (${c[0]?.model.trim() ?? '?'}), load ${load}`;
}

/**
 * CPU time the whole machine has spent so far, all cores, µs (Linux `/proc/stat`, USER_HZ = 100, so
 * 10 ms steps; NaN elsewhere): `busy` = user, nice, system, irq, softirq and steal — minus the bench's
 * own processes, what the neighbours used — and `steal` alone: time a virtual CPU was ready to run but
 * the hypervisor ran something else (every process of the VM stalls alike).
 */
export function machineCpuUs(): { busy: number; steal: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = [0, 1, 2, 5, 6, 7].reduce((a, i) => a + (f[i] ?? 0), 0);
    return { busy: (busy * 1e6) / 100, steal: ((f[7] ?? 0) * 1e6) / 100 };
  } catch {
    return { busy: NaN, steal: NaN };
  }
}

/** `summary:` lines are collected by bench/run.ts into the final summary. */
export function summary(text: string): void {
  console.log(`summary: ${text}`);
}

/** `--name value` from argv, or undefined. */
export function arg(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
}

export function numArg(argv: readonly string[], name: string, fallback: number): number {
  const v = arg(argv, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: expected a number, got ${v}`);
  return n;
}
