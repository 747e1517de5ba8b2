/**
 * Loads every YAML file of a folder the way `--validate-only` does (src/cli/validate.ts) and prints
 * the result per file, the failures grouped by the pattern of their first error, and the totals —
 * overall and without the LLM-gateway configs (top-level `llm:`, or an `ai`/`llm` backend anywhere).
 * A config whose only errors are missing files (JWKS, certificates, OpenAPI schemas, commands not on
 * PATH) is counted apart as "files missing": its config model loaded.
 *
 *   npx tsx scripts/compat-report.ts <folder> [--quiet] [--json out.json]
 *
 * Environment variables the configs reference are set to a placeholder (a URL when the name says
 * ISSUER/URL/ENDPOINT/HOST/DOMAIN), so `$VAR` never fails a load.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { validateReport } from '../src/cli/validate.js';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const quiet = args.includes('--quiet');
const jsonAt = args.indexOf('--json');
const jsonOut = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
if (!dir) {
  process.stderr.write(
    'usage: tsx scripts/compat-report.ts <folder of .yaml files> [--quiet] [--json out.json]\n',
  );
  process.exit(2);
}

type Outcome = 'ok' | 'files' | 'fail';
interface Row {
  file: string;
  llm: boolean;
  outcome: Outcome;
  first: string;
  errors: string[];
  warnings: number;
}

const MISSING_FILE = /file not found|no such file|not found on PATH|ENOENT/i;

function usesLlm(data: unknown, depth = 0): boolean {
  if (!data || typeof data !== 'object' || depth > 12) return false;
  if (Array.isArray(data)) return data.some((d) => usesLlm(d, depth + 1));
  const o = data as Record<string, unknown>;
  if (depth === 0 && 'llm' in o) return true;
  for (const [k, v] of Object.entries(o)) {
    if ((k === 'ai' || k === 'llm') && v && typeof v === 'object') return true;
    if (usesLlm(v, depth + 1)) return true;
  }
  return false;
}

/** The first error's message without location, with quoted names and numbers generalized. */
function pattern(message: string): string {
  return message
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '…')
    .replace(/\b\d+(\.\d+)?\b/g, 'N')
    .slice(0, 140);
}

/** A value for each referenced variable: a URL for names that say they hold one, else a word. */
function placeholderEnv(text: string): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/' };
  for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = m[1]!;
    env[name] ??= /ISSUER|URL|ENDPOINT|HOST|DOMAIN/i.test(name)
      ? `https://${name.toLowerCase().replace(/_/g, '-')}.example.com`
      : `placeholder-${name.toLowerCase()}`;
  }
  return env;
}

const rows: Row[] = [];
const files = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
for (const f of files) {
  const file = resolve(join(dir, f));
  const text = readFileSync(file, 'utf8');
  const llm = usesLlm(parseDocument(text).toJS());
  const input = { text, name: f, file, baseDir: resolve(dir) };
  const { errors, warnings } = await validateReport(input, placeholderEnv(text), resolve(dir));
  const msgs = errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
  const real = errors.filter((e) => !MISSING_FILE.test(e.message));
  const outcome: Outcome = errors.length === 0 ? 'ok' : real.length === 0 ? 'files' : 'fail';
  const first =
    outcome === 'fail' ? pattern(real[0]!.message) : outcome === 'files' ? pattern(errors[0]!.message) : '';
  rows.push({ file: f, llm, outcome, first, errors: msgs, warnings: warnings.length });
  if (!quiet) {
    const tag = { ok: 'ok   ', files: 'files', fail: 'FAIL ' }[outcome];
    process.stdout.write(`${tag} ${llm ? 'llm ' : '    '}${f}${msgs[0] ? `\n        ${msgs[0]}` : ''}\n`);
  }
}

function totals(sel: Row[]): string {
  const ok = sel.filter((r) => r.outcome === 'ok').length;
  const files = sel.filter((r) => r.outcome === 'files').length;
  const pct = (n: number): string => (sel.length ? ((100 * n) / sel.length).toFixed(1) : '0.0');
  return `${sel.length} configs: ${ok} load (${pct(ok)} %), ${files} more load but miss a referenced file (${pct(ok + files)} % with them), ${sel.length - ok - files} fail`;
}

const groups = new Map<string, Row[]>();
for (const r of rows.filter((x) => x.outcome === 'fail'))
  groups.set(r.first, [...(groups.get(r.first) ?? []), r]);
process.stdout.write('\nfailures by first error (count, llm count, examples):\n');
for (const [p, rs] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
  const ex = rs
    .slice(0, 2)
    .map((r) => r.file)
    .join(', ');
  process.stdout.write(
    `${String(rs.length).padStart(4)} (${rs.filter((r) => r.llm).length} llm)  ${p}\n        e.g. ${ex}\n`,
  );
}
process.stdout.write(`\nall:     ${totals(rows)}\nnon-LLM: ${totals(rows.filter((r) => !r.llm))}\n`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(rows, null, 1));
process.exit(0);
