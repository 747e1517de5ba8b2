/** schema/config.schema.json is generated from the zod schema; this fails when the committed file drifts. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { configJsonSchema, configJsonSchemaText, JSON_SCHEMA_PATH } from '../../src/config/json-schema.js';
import { REPO_ROOT } from './helpers.js';

test('schema/config.schema.json matches the zod schema (regenerate: npx tsx scripts/gen-schema.ts)', () => {
  const committed = readFileSync(join(REPO_ROOT, JSON_SCHEMA_PATH), 'utf8');
  assert.equal(
    committed,
    configJsonSchemaText(),
    'run `npx tsx scripts/gen-schema.ts` and commit the result',
  );
});

test('the JSON Schema rejects unknown keys and carries the shared definitions', () => {
  const schema = configJsonSchema() as {
    additionalProperties: boolean;
    properties: Record<string, unknown>;
    definitions: Record<string, { additionalProperties?: boolean }>;
  };
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(Object.keys(schema.properties), [
    '$schema',
    'config',
    'binds',
    'mcp',
    'gateways',
    'routes',
    'tcpRoutes',
    'backends',
    'frontendPolicies',
  ]);
  for (const name of [
    'RoutePolicies',
    'McpTarget',
    'JwtAuth',
    'Cors',
    'Duration',
    'Bind',
    'Listener',
    'Route',
  ]) {
    assert.ok(schema.definitions[name], `definition ${name}`);
  }
  assert.equal(schema.definitions.RoutePolicies!.additionalProperties, false);
});
