/**
 * `--validate-only`: everything wrong with a config in one run — schema, CEL, files (JWKS, TLS PEMs)
 * and stdio commands on PATH — then every warning. Past a schema or normalization error the build
 * cannot run, so the parts that did parse are checked as plain data (src/cli/partial-checks.ts).
 * Exit code 1 on errors only; warnings are printed and exit 0.
 */
import { issuesOf, type ReloadIssue } from '../app/issues.js';
import { loadConfigStaged, type ConfigInput } from '../config/load.js';
import { buildSnapshot } from '../runtime/build.js';
import { escapeControl } from '../telemetry/escape.js';
import { compileTracePolicy } from '../telemetry/trace-policy.js';
import { partialChecks } from './partial-checks.js';

export interface ValidationReport {
  readonly errors: readonly ReloadIssue[];
  readonly warnings: readonly string[];
}

export async function validateReport(
  input: ConfigInput,
  env: Readonly<Record<string, string | undefined>>,
  cwd = process.cwd(),
): Promise<ValidationReport> {
  const r = loadConfigStaged(input, env, { cwd });
  const found: unknown[] = [];
  let warnings: readonly string[] = [];
  const opts = { pathEnv: env.PATH, cwd };
  if ('error' in r) {
    found.push(r.error);
    if (r.data !== undefined && r.build) {
      found.push({ issues: await partialChecks(r.data, r.build, { ...opts, deep: true }) });
      warnings = r.build.warnings;
    }
  } else {
    try {
      const snap = await buildSnapshot(r, 0);
      warnings = snap.warnings;
      snap.close();
      // Tracing's CEL (sampling, fields, filter, resources) is compiled when tracing starts: check it too.
      if (r.config.static.tracing) compileTracePolicy(r.config.static.tracing, r.build);
    } catch (e) {
      found.push(e);
      warnings = r.build.warnings;
    }
    found.push({ issues: await partialChecks(r.document.toJS(), r.build, { ...opts, deep: false }) });
  }
  return { errors: uniqueSorted(found.flatMap(issuesOf)), warnings: [...new Set(warnings)] };
}

function uniqueSorted(issues: readonly ReloadIssue[]): ReloadIssue[] {
  const seen = new Set<string>();
  return issues
    .filter((i) => !seen.has(i.text) && seen.add(i.text))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

export async function validateConfig(
  input: ConfigInput,
  env: Readonly<Record<string, string | undefined>>,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const { errors, warnings } = await validateReport(input, env);
  for (const e of errors) err(`error: ${indent(e.text)}\n`);
  for (const w of warnings) err(`warning: ${indent(w)}\n`);
  const w = warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : '';
  if (errors.length === 0) {
    out(`Configuration is valid!${w}\n`);
    return 0;
  }
  err(`${errors.length} error${errors.length === 1 ? '' : 's'}${w}: the configuration is not valid\n`);
  return 1;
}

/** Multi-line messages (CEL carets) keep their lines, indented under the first. */
function indent(text: string): string {
  return text.split('\n').map(escapeControl).join('\n    ');
}
