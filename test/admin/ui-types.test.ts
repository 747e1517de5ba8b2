import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { generateUiTypes, OUT_FILE, SCHEMA_FILE } from '../../scripts/gen-ui-types.js';

test('JSON Schema → TypeScript: objects, required, enums, unions, arrays, tuples, records, $defs', async () => {
  const out = await generateUiTypes({
    type: 'object',
    required: ['port'],
    properties: {
      port: { type: 'integer', description: 'Port to bind.' },
      mode: { type: 'string', enum: ['strict', 'optional'] },
      kind: { const: 'mcp' },
      targets: { type: 'array', items: { anyOf: [{ $ref: '#/$defs/stdio-target' }, { type: 'string' }] } },
      regex: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }] },
      env: { type: 'object', additionalProperties: { type: 'string' } },
      nullable: { type: ['string', 'null'] },
      any: {},
      'x-weird': { type: 'boolean' },
    },
    additionalProperties: false,
    $defs: { 'stdio-target': { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] } },
  });
  assert.match(out, /\/\*\* Port to bind\. \*\/\n\s+port: number;/);
  assert.match(out, /mode\?: 'strict' \| 'optional';/);
  assert.match(out, /kind\?: 'mcp';/);
  assert.match(out, /targets\?: \(StdioTarget \| string\)\[\];/);
  assert.match(out, /regex\?: \[string, number\];/);
  assert.match(out, /env\?: Record<string, string>;/);
  assert.match(out, /nullable\?: string \| null;/);
  assert.match(out, /any\?: unknown;/);
  assert.match(out, /'x-weird'\?: boolean;/);
  assert.match(out, /export type StdioTarget = \{\n\s+cmd: string;\n\};/);
});

test('ui/src/generated/config.ts is up to date with schema/config.schema.json', async (t) => {
  if (!existsSync(SCHEMA_FILE)) {
    t.skip(`${SCHEMA_FILE} does not exist yet (npm run schema)`);
    return;
  }
  const expected = await generateUiTypes(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as never);
  // Not assert.equal: a diff of two 500-line files helps nobody; the fix is one command.
  assert.ok(
    readFileSync(OUT_FILE, 'utf8') === expected,
    `${OUT_FILE} is stale: run \`npm run gen:ui-types\``,
  );
});
