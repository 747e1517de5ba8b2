/**
 * `portcullis test POLICY_TESTS.yaml [--reporter tap|junit]`: compiles the config the file names and
 * runs its cases against the route's policies (src/policy-test/). No upstream is started. Exit code 0
 * when every case passes, 1 when one fails or the file or config is invalid.
 */
import { relative, resolve } from 'node:path';
import { issuesOf } from '../app/issues.js';
import { loadConfig, readConfigInput } from '../config/load.js';
import { loadPolicyTestFile } from '../policy-test/cases.js';
import { pickRoute, runCases } from '../policy-test/evaluate.js';
import { junitReport, tapReport } from '../policy-test/reporters.js';
import { buildSnapshot } from '../runtime/build.js';

export async function runPolicyTests(
  file: string,
  reporter: 'tap' | 'junit',
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  let snap;
  try {
    const t = loadPolicyTestFile(file);
    const input = await readConfigInput({ file: resolve(t.dir, t.spec.config) });
    snap = await buildSnapshot(loadConfig(input, process.env), 0);
    const route = pickRoute(snap, t.spec.route);
    const results = await runCases(route, t.spec.cases, t.dir);
    const suite = relative(process.cwd(), t.file) || t.file;
    out(reporter === 'junit' ? junitReport(results, suite) : tapReport(results));
    const failed = results.filter((r) => !r.ok).length;
    if (failed) err(`${failed} of ${results.length} policy test cases failed\n`);
    return failed ? 1 : 0;
  } catch (e) {
    for (const i of issuesOf(e)) err(`error: ${i.text}\n`);
    return 1;
  } finally {
    snap?.close();
  }
}
