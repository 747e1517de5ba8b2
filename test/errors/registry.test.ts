/** Every registry code is documented in docs/errors.md with the same HTTP status and JSON-RPC code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS, GatewayError } from '../../src/errors/registry.js';
import { toJsonRpc } from '../../src/errors/respond.js';

const doc = readFileSync('docs/errors.md', 'utf8');
const rows = new Map(
  [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d+) \| (-?\d+) \|/gm)].map((m) => [
    m[1],
    { status: +m[2]!, rpc: +m[3]! },
  ]),
);

for (const [code, def] of Object.entries(ERRORS)) {
  test(`docs/errors.md documents ${code}`, () => {
    const row = rows.get(code);
    assert.ok(row, `${code} is missing from docs/errors.md`);
    assert.equal(row.status, def.status, `${code}: HTTP status`);
    assert.equal(row.rpc, def.rpc, `${code}: JSON-RPC code`);
  });
}

test('docs/errors.md lists no code the registry lacks', () => {
  for (const code of rows.keys())
    assert.ok(code !== undefined && code in ERRORS, `${code} is documented but not in the registry`);
});

test('an unexpected error maps to a safe internal error, never the original message', () => {
  const body = toJsonRpc(new Error('secret at /etc/passwd line 3'), 7);
  assert.deepEqual(body, { jsonrpc: '2.0', id: 7, error: { code: -32603, message: 'internal error' } });
  const g = new GatewayError('RATE_LIMITED');
  assert.equal(toJsonRpc(g, null).error.code, -32029);
});
