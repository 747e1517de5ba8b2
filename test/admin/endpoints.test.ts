import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveEndpoints } from '../../src/admin/endpoints.js';
import { bind, config, listener, match, mcpBackend, route, stdioTarget } from './normalized-fixture.js';

test('a prefix `/` route serves MCP at /mcp and SSE at /sse', () => {
  const [e] = deriveEndpoints(config([bind(3000, [listener([route('route0')])])]));
  assert.deepEqual(e, {
    url: 'http://localhost:3000/mcp',
    path: '/mcp',
    sseUrl: 'http://localhost:3000/sse',
    listener: 'listener0/bind/3000',
    route: 'listener0/bind/3000/route0/default',
    kind: 'mcp',
    transports: ['streamable', 'sse'],
    auth: false,
    cors: false,
  });
});

test('non-root paths: prefix /team/a → /team/a (+ /team/a/sse); exact /x → /x only; regex skipped', () => {
  const r = route('r', {
    matches: [
      match({ kind: 'prefix', value: '/team/a/' }),
      match({ kind: 'exact', value: '/x/mcp' }),
      match({ kind: 'regex', value: '^/v[0-9]+/mcp$' }),
    ],
    policies: { jwtAuth: { issuer: 'i', jwks: { file: 'k' } }, cors: { allowOrigins: ['*'] } },
  });
  const es = deriveEndpoints(config([bind(8080, [listener([r])])]));
  assert.deepEqual(
    es.map((e) => [e.url, e.sseUrl, e.auth, e.cors]),
    [
      ['http://localhost:8080/team/a', 'http://localhost:8080/team/a/sse', true, true],
      ['http://localhost:8080/x/mcp', undefined, true, true],
    ],
  );
  assert.deepEqual(es[1]?.transports, ['streamable']);
});

test('stateless backends have no SSE; HTTP routes are listed as http', () => {
  const stateless = route('s', { backends: [mcpBackend([stdioTarget('t')], { statefulMode: 'stateless' })] });
  const http = route('h', {
    matches: [match({ kind: 'prefix', value: '/api' })],
    backends: [{ kind: 'host', host: 'localhost:9000', weight: 1, at: [] }],
  });
  const es = deriveEndpoints(config([bind(3000, [listener([stateless, http])])]));
  assert.equal(es[0]?.sseUrl, undefined);
  assert.deepEqual(es[0]?.transports, ['streamable']);
  assert.deepEqual([es[1]?.url, es[1]?.kind, es[1]?.transports], ['http://localhost:3000/api', 'http', []]);
});

test('host names, HTTPS, bind addresses and bound ports', () => {
  const named = listener([route('a', { hostnames: ['*.example.com', 'mcp.example.com'] })], {
    hostname: '*.example.com',
    protocol: 'HTTPS',
  });
  const v6 = listener([route('b')], { key: 'l/bind/4000' });
  const es = deriveEndpoints(config([bind(443, [named]), bind(0, [v6], 'fd00::1')]), {
    boundPort: (key) => (key === 'bind/0' ? 41234 : undefined),
  });
  assert.deepEqual(
    es.map((e) => e.url),
    ['https://mcp.example.com/mcp', 'http://[fd00::1]:41234/mcp'],
  );
});
