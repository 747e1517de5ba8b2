import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSummary } from '../../src/admin/summary.js';
import { bind, config, listener, match, mcpBackend, route, stdioTarget } from './normalized-fixture.js';

test('summary lists listeners, routes (policies redacted), targets with live status', () => {
  const r = route('route0', {
    matches: [
      match(
        { kind: 'prefix', value: '/' },
        { method: 'POST', headers: [{ name: 'x-team', value: { exact: 'a' } }] },
      ),
    ],
    policies: { backendAuth: { key: 'sk-SECRET' }, mcpAuthorization: { rules: ['mcp.tool.name == "echo"'] } },
    backends: [
      mcpBackend([
        stdioTarget('everything', { env: { API_TOKEN: 'tok-SECRET' } } as never),
        {
          kind: 'mcp',
          name: 'remote',
          url: 'http://u:pw-SECRET@localhost:3001/mcp',
          tools: undefined,
          connectTimeoutMs: 1,
          requestTimeoutMs: 1,
          at: [],
        },
      ]),
    ],
  });
  const s = buildSummary(config([bind(3000, [listener([r])])]), {
    version: '1.2.3',
    reload: { ok: false, at: '2026-01-01T00:00:00Z', errors: [], restartRequired: ['config.adminAddr'] },
    sessions: 2,
    targetStatus: (backend, target) =>
      target === 'remote' ? { status: 'failing', error: 'ECONNREFUSED' } : { status: 'ok' },
  });
  assert.equal(s.version, '1.2.3');
  assert.equal(s.configFile, '/etc/portcullis/config.yaml');
  assert.deepEqual(s.listeners[0]?.routes, ['listener0/bind/3000/route0/default']);
  assert.deepEqual(s.routes[0]?.matches, ['prefix /, method POST, header x-team = a']);
  assert.deepEqual(s.routes[0]?.backends, [
    { kind: 'mcp', name: 'mcp', targets: ['everything', 'remote'], statefulMode: 'stateful' },
  ]);
  assert.deepEqual(
    s.targets.map((t) => [t.name, t.kind, t.status, t.error]),
    [
      ['everything', 'stdio', 'ok', undefined],
      ['remote', 'mcp', 'failing', 'ECONNREFUSED'],
    ],
  );
  assert.equal(s.targets[1]?.detail, 'http://[redacted]@localhost:3001/mcp');
  assert.ok(!JSON.stringify(s).includes('SECRET'), 'no secret in the summary');
  assert.deepEqual(s.routes[0]?.policies['mcpAuthorization'], { rules: ['mcp.tool.name == "echo"'] });
});
