/**
 * Where a reload of a 100-route config spends its time, stage by stage, in this one process (no load
 * beside it, so the steadiest view of the reload's own work): reading the file, the YAML parse
 * (`parseDocument`), the plain data (`toJS`), the schema (zod), normalization (together `loadConfig`),
 * and the snapshot build (`buildSnapshot`: jwtAuth key sets, CEL rules, backends). Each round builds a
 * new variant of the config (one rule differs on every route), like `hotpath.bench.ts --only reload`,
 * whose goal is < 50 ms for the whole reload under load. Median [min–max] of the rounds.
 *
 *   npx tsx bench/reload-stages.bench.ts [--routes 100] [--rounds 30]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseDocument } from 'yaml';
import { loadConfig, readConfigInput } from '../src/config/load.js';
import { buildSnapshot } from '../src/runtime/build.js';
import { manyRoutesYaml } from './lib/hotpath-configs.js';
import { makeKey } from './lib/keys.js';
import { fmt, machineLine, median, numArg, summary, table } from './lib/stats.js';

const argv = process.argv.slice(2);
const ROUTES = numArg(argv, '--routes', 100);
const ROUNDS = Math.max(5, numArg(argv, '--rounds', argv.includes('--quick') ? 10 : 30));

async function main(): Promise<void> {
  console.log(machineLine());
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-reload-stages-'));
  try {
    const key = await makeKey(dir);
    const file = join(dir, 'routes.yaml');
    const logger = pino({ level: 'silent' });
    const stages: Record<string, number[]> = {
      'read file': [],
      'YAML parse (part of load)': [],
      'load (YAML, schema, normalize)': [],
      'build snapshot': [],
      total: [],
    };
    const push = (k: string, ms: number): void => void stages[k]?.push(ms);
    // Round 0 warms the code paths up (first import of each module, JIT) and is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      writeFileSync(file, manyRoutesYaml('http://127.0.0.1:9/mcp', key.jwksFile, ROUTES, round));
      const t0 = performance.now();
      const input = await readConfigInput({ file });
      const t1 = performance.now();
      const loaded = loadConfig(input, process.env);
      const t2 = performance.now();
      const snap = await buildSnapshot(loaded, round + 1, { logger });
      const t3 = performance.now();
      snap.close();
      // The YAML parse alone, outside the timed reload (loadConfig does it once inside).
      const y0 = performance.now();
      parseDocument(readFileSync(file, 'utf8'), { prettyErrors: false, uniqueKeys: true });
      const y1 = performance.now();
      if (round === 0) continue;
      push('read file', t1 - t0);
      push('load (YAML, schema, normalize)', t2 - t1);
      push('YAML parse (part of load)', y1 - y0);
      push('build snapshot', t3 - t2);
      push('total', t3 - t0);
    }
    const rows = Object.entries(stages).map(([name, v]) => [
      name,
      `${fmt(median(v))} [${fmt(Math.min(...v))}–${fmt(Math.max(...v))}]`,
    ]);
    console.log(`\n${ROUTES} routes, ${ROUNDS} rounds, ms median [min–max]\n`);
    console.log(table([['stage', 'ms'], ...rows]));
    const total = median(stages.total ?? []);
    summary(`reload stages, ${ROUTES} routes: total ${fmt(total)} ms median (goal < 50 ms under load)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
