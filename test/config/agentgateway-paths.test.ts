/**
 * Every field of agentgateway's config schema, as recorded in schema/agentgateway-paths.json
 * (scripts/agentgateway-paths.ts), loads into a config of its own: an `implemented` field is a known
 * key (never "unknown field", never "not supported yet"); an `unsupported` one fails with
 * `not supported yet: <field>` on the line of that field.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { ConfigError } from '../../src/config/errors.js';
import type { ConfigIssue } from '../../src/config/errors.js';
import { schemaPathStatus, splitSchemaPath } from '../../src/config/schema-coverage.js';
import { loadText, REPO_ROOT } from './helpers.js';

const recorded = JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'agentgateway-paths.json'), 'utf8')) as {
  paths: Record<string, 'implemented' | 'unsupported'>;
};
const entries = Object.entries(recorded.paths);

/** The smallest document that has the field: `a[].b` → `{a: [{b: {}}]}`. */
function documentFor(path: string): { text: string; at: string; key: string } {
  const segs = splitSchemaPath(path);
  const root: Record<string, unknown> = {};
  let cur: unknown = root;
  const at: string[] = [];
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    const next: unknown = last ? {} : segs[i + 1] === '[]' ? [] : {};
    if (seg === '[]') {
      // A backend's policies need a backend kind beside them to reach the policies' own checks.
      if (segs[i - 1] === 'backends' && segs[i + 1] === 'policies') {
        Object.assign(next as object, i === 1 ? { name: 'b', host: 'localhost:1' } : { host: 'localhost:1' });
      }
      // So do an MCP target's (a network target: stdio targets take none).
      if (segs[i - 1] === 'targets' && segs[i + 1] === 'policies') {
        Object.assign(next as object, { name: 't', mcp: { host: 'http://localhost:1/mcp' } });
      }
      (cur as unknown[]).push(next);
      at[at.length - 1] += '[0]';
    } else {
      const key = seg === '*' ? 'x' : seg;
      (cur as Record<string, unknown>)[key] = next;
      at.push(key);
    }
    cur = next;
  });
  const key = segs.filter((s) => s !== '[]').pop()!;
  return { text: stringify(root), at: at.join('.'), key };
}

function issues(text: string): readonly ConfigIssue[] {
  try {
    loadText(text);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
}

function lineOf(text: string, key: string): number {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (new RegExp(`^\\s*(- )*${key.replace(/[.*]/g, '\\$&')}:`).test(lines[i]!)) return i + 1;
  }
  return -1;
}

describe('every agentgateway schema path is implemented or refused as not supported yet', () => {
  test('the list is complete and matches the schema', () => {
    assert.ok(entries.length > 500, `only ${entries.length} paths recorded`);
    const drift = entries.filter(([p, status]) => schemaPathStatus(p) !== status);
    assert.deepEqual(drift, [], 'statuses changed: rerun scripts/agentgateway-paths.ts');
  });

  test('implemented fields are known keys', () => {
    const bad: string[] = [];
    for (const [path] of entries.filter(([, s]) => s === 'implemented')) {
      const { text, at, key } = documentFor(path);
      const wrong = issues(text).filter(
        (i) =>
          (i.path === at && /^(unknown field|not supported yet)/.test(i.message)) ||
          i.message.startsWith(`unknown field \`${key}\``),
      );
      if (wrong.length) bad.push(`${path}: ${wrong.map((i) => i.message).join('; ')}`);
    }
    assert.deepEqual(bad, []);
  });

  test('unsupported fields fail with "not supported yet: <field>" at their line', () => {
    const bad: string[] = [];
    const unsupported = entries.filter(([, s]) => s === 'unsupported');
    assert.ok(unsupported.length > 100);
    for (const [path] of unsupported) {
      const { text, at, key } = documentFor(path);
      const found = issues(text).find(
        (i) => i.path === at && i.message.startsWith(`not supported yet: ${key}`),
      );
      if (!found)
        bad.push(
          `${path}: ${issues(text)
            .map((i) => `${i.path}: ${i.message}`)
            .join('; ')}`,
        );
      else if (found.line !== lineOf(text, key))
        bad.push(`${path}: line ${found.line}, expected ${lineOf(text, key)}`);
    }
    assert.deepEqual(bad, []);
  });
});
