/**
 * Runs the MCP conformance suite (`@modelcontextprotocol/conformance`, pinned 0.1.13: 0.1.14+ crashes on
 * Node 20) against a server URL: every server scenario (`--suite all`). The counts are the CLI's own:
 * checks with status SUCCESS pass, FAILURE fail; WARNING and INFO are neither.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface ConformanceResult {
  readonly passed: number;
  readonly failed: number;
  /** passed + failed */
  readonly total: number;
  /** `<scenario>/<check id>: <error message>` for every failed check. */
  readonly failures: string[];
  /** Scenario name → its pass/fail counts. */
  readonly scenarios: Readonly<Record<string, { passed: number; failed: number }>>;
  /** The CLI's own stdout, for diagnosis. */
  readonly output: string;
}

interface Check {
  readonly id: string;
  readonly status: string;
  readonly errorMessage?: string;
}

const require = createRequire(import.meta.url);

function cliPath(): string {
  const pkg = require.resolve('@modelcontextprotocol/conformance/package.json');
  return join(dirname(pkg), 'dist', 'index.js');
}

export async function runConformance(
  url: string,
  opts: { suite?: string; scenario?: string; timeoutMs?: number } = {},
): Promise<ConformanceResult> {
  const outDir = await mkdtemp(join(tmpdir(), 'portcullis-conformance-'));
  try {
    const args = [cliPath(), 'server', '--url', url, '-o', outDir];
    if (opts.scenario) args.push('--scenario', opts.scenario);
    else args.push('--suite', opts.suite ?? 'all');
    const output = await run(process.execPath, args, opts.timeoutMs ?? 300_000);

    const scenarios: Record<string, { passed: number; failed: number }> = {};
    const failures: string[] = [];
    let passed = 0;
    let failed = 0;
    for (const dir of (await readdir(outDir)).sort()) {
      const scenario = scenarioName(dir);
      const checks = JSON.parse(await readFile(join(outDir, dir, 'checks.json'), 'utf8')) as Check[];
      const s = { passed: 0, failed: 0 };
      for (const c of checks) {
        if (c.status === 'SUCCESS') s.passed++;
        else if (c.status === 'FAILURE') {
          s.failed++;
          failures.push(`${scenario}/${c.id}: ${c.errorMessage ?? 'failed'}`);
        }
      }
      scenarios[scenario] = s;
      passed += s.passed;
      failed += s.failed;
    }
    // A scenario that crashed writes no checks.json; the CLI's summary still counts it.
    const total = /Total: (\d+) passed, (\d+) failed/.exec(output);
    if (total && (Number(total[1]) !== passed || Number(total[2]) !== failed)) {
      failed = Math.max(failed, Number(total[2]));
      passed = Math.min(passed, Number(total[1]));
      failures.push(`summary: the CLI reported ${total[1]} passed, ${total[2]} failed`);
    }
    return { passed, failed, total: passed + failed, failures, scenarios, output };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** `server-tools-call-simple-text-2026-01-01T00-00-00-000Z` → `tools-call-simple-text` */
function scenarioName(dir: string): string {
  return dir.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/, '');
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`conformance run timed out after ${timeoutMs} ms\n${out}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // Exit code 1 just means some check failed: the counts say which.
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}
