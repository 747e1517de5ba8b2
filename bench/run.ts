/**
 * Runs every bench (each in its own node process, so one's JIT and heap do not colour the next) and
 * prints a summary of their `summary:` lines (a bench without any contributes its last line).
 *   npm run bench                         every bench, default lengths
 *   npm run bench -- --quick              shorter runs (a minute or two in all)
 *   npm run bench -- gateway auth         only the benches whose name contains one of the words
 * Other flags are passed to every bench (each ignores what it does not know).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineLine } from './lib/stats.js';

const BENCHES = [
  'cel',
  'auth',
  'metrics',
  'overhead',
  'gateway',
  'hotpath',
  'reload-stages',
  'startup',
] as const;

const argv = process.argv.slice(2);
/** Flags without a value; every other `--flag` takes the next argument as its value. */
const BOOLEAN_FLAGS = new Set(['--quick', '--variants', '--no-floor', '--no-pauses', '--imports']);
const words: string[] = [];
const flags: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i] as string;
  if (!a.startsWith('--')) words.push(a);
  else if (BOOLEAN_FLAGS.has(a) || a.includes('=')) flags.push(a);
  else {
    flags.push(a, ...argv.slice(i + 1, i + 2));
    i++;
  }
}
const selected = BENCHES.filter((b) => words.length === 0 || words.some((w) => b.includes(w)));

interface Outcome {
  readonly name: string;
  readonly code: number | null;
  readonly ms: number;
  readonly summary: readonly string[];
}

function runBench(name: string, file: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...flags], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    let partial = '';
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      const text = partial + d.toString();
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
    child.once('close', (code) => {
      if (partial) lines.push(partial);
      const tagged = lines.filter((l) => l.startsWith('summary: ')).map((l) => l.slice('summary: '.length));
      const last = [...lines].reverse().find((l) => l.trim() !== '');
      resolve({ name, code, ms: Date.now() - t0, summary: tagged.length ? tagged : last ? [last] : [] });
    });
  });
}

console.log(machineLine());
const outcomes: Outcome[] = [];
for (const name of selected) {
  const file = fileURLToPath(new URL(`./${name}.bench.ts`, import.meta.url));
  if (!existsSync(file)) {
    console.log(`\n=== ${name}: bench/${name}.bench.ts not present, skipped`);
    continue;
  }
  console.log(`\n=== ${name} (bench/${name}.bench.ts)`);
  outcomes.push(await runBench(name, file));
}

console.log('\n=== summary');
console.log(machineLine());
for (const o of outcomes) {
  const status = o.code === 0 ? '' : ` — FAILED (exit ${o.code})`;
  console.log(`${o.name} (${(o.ms / 1000).toFixed(0)} s)${status}`);
  for (const s of o.summary) console.log(`  ${s}`);
}
process.exitCode = outcomes.some((o) => o.code !== 0) ? 1 : 0;
