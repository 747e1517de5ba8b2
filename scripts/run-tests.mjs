// Runs every test file under test/ with node's built-in runner through tsx.
// Node 20 has no test globs, so the file list is collected here.
// test/stress/ (long fuzzing and soak runs) is skipped unless `--stress` is given (`npm run test:stress`),
// which then runs only that folder.
// A full run starts from an empty test-artifacts/logs/ and runs the token-leak check
// (test/zz-no-token-leak.test.ts) last, on its own, after every gateway of the suite has logged.
// `--workers N` runs the chosen files with PORTCULLIS_TEST_WORKERS=N: the end-to-end tests (test/e2e/)
// then run against the built CLI with `--workers N` (test/e2e/helpers.ts). A full run does that once
// more for test/e2e/ with two workers, so sessions and policies keep working worker to worker.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const LEAK_CHECK = join('test', 'zz-no-token-leak.test.ts');

function collect(dir, stress) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === 'fixtures' || name === 'node_modules') continue;
      if (!stress && full === join('test', 'stress')) continue;
      out.push(...collect(full, stress));
    } else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

function run(files, env = {}) {
  const concurrency = process.env.TEST_CONCURRENCY ?? '2';
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
      { stdio: 'inherit', env: { ...process.env, PORTCULLIS_TEST: '1', ...env } },
    );
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const args = process.argv.slice(2);
const stress = args.includes('--stress');
const w = args.indexOf('--workers');
const workers = w >= 0 ? args[w + 1] : undefined;
const filter = args.filter((a, i) => a !== '--stress' && i !== w && (w < 0 || i !== w + 1));
const workersEnv = workers ? { PORTCULLIS_TEST_WORKERS: workers } : {};
let files = stress ? collect(join('test', 'stress'), true) : collect('test', false);
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
else if (!stress) rmSync(join('test-artifacts', 'logs'), { recursive: true, force: true });
const last = files.filter((f) => f === LEAK_CHECK);
const first = files.filter((f) => f !== LEAK_CHECK);
let code = first.length ? await run(first, workersEnv) : 0;
if (!filter.length && !stress && !workers) {
  const e2e = files.filter((f) => f.startsWith(join('test', 'e2e') + '/'));
  if (e2e.length) code = (await run(e2e, { PORTCULLIS_TEST_WORKERS: '2' })) || code;
}
if (last.length) code = (await run(last)) || code;
process.exit(code);
