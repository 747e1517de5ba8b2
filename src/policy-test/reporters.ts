/** Policy test results as TAP (version 13) or JUnit XML, the two formats every CI system reads. */
import { escapeControl } from '../telemetry/escape.js';
import type { CaseResult } from './evaluate.js';

function detail(r: CaseResult): string[] {
  const lines = [`expected: ${r.expected}`, `actual: ${r.actual}`];
  if (r.expectedRule !== undefined) lines.push(`expected rule: ${r.expectedRule}`);
  lines.push(`rule: ${r.rule}`, `reason: ${r.reason}`);
  return lines;
}

/** YAML-safe scalar for the TAP diagnostic block. */
function yamlScalar(s: string): string {
  return JSON.stringify(escapeControl(s));
}

export function tapReport(results: readonly CaseResult[]): string {
  const out = ['TAP version 13', `1..${results.length}`];
  results.forEach((r, i) => {
    // A `#` would start a TAP directive; the description is one line.
    const desc = escapeControl(r.name).replace(/#/g, '\\#');
    out.push(`${r.ok ? 'ok' : 'not ok'} ${i + 1} - ${desc}`);
    if (!r.ok) {
      out.push('  ---');
      out.push(`  expected: ${r.expected}`);
      out.push(`  actual: ${r.actual}`);
      if (r.expectedRule !== undefined) out.push(`  expected_rule: ${yamlScalar(r.expectedRule)}`);
      out.push(`  rule: ${yamlScalar(r.rule)}`);
      out.push(`  reason: ${yamlScalar(r.reason)}`);
      out.push('  ...');
    }
  });
  const failed = results.filter((r) => !r.ok).length;
  out.push(`# pass ${results.length - failed}`, `# fail ${failed}`);
  return out.join('\n') + '\n';
}

// XML 1.0 allows tab, LF, CR and characters from U+0020; other controls are made visible first.
function xml(s: string): string {
  return escapeControl(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function junitReport(results: readonly CaseResult[], suite: string): string {
  const failed = results.filter((r) => !r.ok);
  const errors = failed.filter((r) => r.actual === 'error').length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="portcullis policy tests" tests="${results.length}" failures="${failed.length - errors}" errors="${errors}">`,
    `  <testsuite name="${xml(suite)}" tests="${results.length}" failures="${failed.length - errors}" errors="${errors}">`,
  ];
  for (const r of results) {
    const open = `    <testcase name="${xml(r.name)}" classname="${xml(suite)}"`;
    if (r.ok) {
      out.push(`${open}/>`);
      continue;
    }
    const tag = r.actual === 'error' ? 'error' : 'failure';
    const message = r.actual === 'error' ? r.reason : `expected ${r.expected}, got ${r.actual}`;
    out.push(`${open}>`);
    out.push(`      <${tag} message="${xml(message)}">${xml(detail(r).join('\n'))}</${tag}>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return out.join('\n') + '\n';
}
