/**
 * The config editor's completion: the YAML path at the cursor (from indentation, on half-typed text)
 * and the keys the config's JSON Schema allows there; and the Playground's item search.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { keysAt, type JsonSchema } from '../../ui/src/editor/schema-keys.js';
import { pathAt } from '../../ui/src/editor/yaml-path.js';
import { matches } from '../../ui/src/lib/search.js';

const DOC = `binds:
- port: 3000
  listeners:
  - routes:
    - policies:
        cors:
          allow
      backends:
      - mcp:
          targets:
          - name: x
            std`.split('\n');

const at = (line: number, column: number) => pathAt(DOC.slice(0, line), column);

test('pathAt: the mapping a key typed at the cursor belongs to', () => {
  assert.deepEqual(at(1, 0), []);
  assert.deepEqual(at(3, 2), ['binds', '[]']);
  assert.deepEqual(at(7, 10), ['binds', '[]', 'listeners', '[]', 'routes', '[]', 'policies', 'cors']);
  assert.deepEqual(at(8, 6), ['binds', '[]', 'listeners', '[]', 'routes', '[]']);
  assert.deepEqual(at(12, 12), [
    'binds',
    '[]',
    'listeners',
    '[]',
    'routes',
    '[]',
    'backends',
    '[]',
    'mcp',
    'targets',
    '[]',
  ]);
  // A new item typed after `- ` on the cursor's line.
  assert.deepEqual(pathAt(['binds:', '- '], 2), ['binds', '[]']);
  // Comments and blank lines are skipped.
  assert.deepEqual(pathAt(['config:', '  # the admin', '', '  adm'], 2), ['config']);
});

test("keysAt: the schema's keys at a path, through $ref, anyOf and items", () => {
  const schema = JSON.parse(readFileSync('schema/config.schema.json', 'utf8')) as JsonSchema;
  const names = (path: readonly string[]) => keysAt(schema, path).map((k) => k.name);
  const root = names([]);
  for (const k of ['$schema', 'binds', 'config', 'mcp', 'gateways', 'routes', 'backends'])
    assert.ok(root.includes(k), `${k} is offered at the top level`);
  assert.deepEqual(root, [...new Set(root)], 'no key offered twice');
  assert.ok(
    names(['binds', '[]', 'listeners', '[]', 'routes', '[]', 'policies']).includes('mcpAuthorization'),
  );
  assert.ok(
    names(['binds', '[]', 'listeners', '[]', 'routes', '[]', 'policies', 'cors']).includes('allowOrigins'),
  );
  const target = names([
    'binds',
    '[]',
    'listeners',
    '[]',
    'routes',
    '[]',
    'backends',
    '[]',
    'mcp',
    'targets',
    '[]',
  ]);
  for (const k of ['name', 'stdio', 'mcp', 'sse', 'openapi']) assert.ok(target.includes(k), k);
  assert.deepEqual(names(['nope']), []);
  const port = keysAt(schema, ['binds', '[]']).find((k) => k.name === 'port');
  assert.ok(port && /number|integer/.test(port.type), JSON.stringify(port));
});

test('search matches every word in name, title, description or URI, ignoring case', () => {
  const tool = { name: 'get-sum', title: 'Sum', description: 'Adds two numbers' };
  assert.ok(matches('', tool));
  assert.ok(matches('SUM', tool));
  assert.ok(matches('adds numbers', tool));
  assert.ok(!matches('adds strings', tool));
  assert.ok(matches('readme', { name: 'r', uri: 'file:///README.md' }));
});
