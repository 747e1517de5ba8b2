/** Normalization rules beyond the snapshots: defaults, names, env overrides, host parsing, freezing. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { targetUrl } from '../../src/config/mcp-host.js';
import { parseHostPort } from '../../src/config/normalize-static.js';
import { loadText } from './helpers.js';

const SHORTHAND = 'mcp:\n  targets:\n  - name: a\n    stdio: {cmd: node}\n';

describe('defaults and generated names', () => {
  test('names, keys and the default match', () => {
    const { config } = loadText(
      'binds:\n- port: 3000\n  listeners:\n  - routes:\n    - {}\n    - name: named\n  - name: second\n    hostname: a.example.com\n    routes: []\n',
    );
    const [l0, l1] = config.binds[0]!.listeners;
    assert.equal(config.binds[0]!.key, 'bind/3000');
    assert.deepEqual(
      [l0!.key, l0!.name, l0!.gatewayName, l0!.hostname, l0!.protocol],
      ['listener0/bind/3000', 'listener0', 'bind/3000', '', 'HTTP'],
    );
    assert.equal(l1!.key, 'second/bind/3000');
    assert.deepEqual(
      l0!.routes.map((r) => [r.key, r.name, r.ruleName]),
      [
        ['listener0/bind/3000/route0/default', 'route0', 'default'],
        ['listener0/bind/3000/named/default', 'named', 'default'],
      ],
    );
    assert.deepEqual(l0!.routes[0]!.matches, [
      { path: { kind: 'prefix', value: '/' }, method: undefined, headers: [], query: [] },
    ]);
  });

  test('static defaults', () => {
    const s = loadText('{}').config.static;
    assert.deepEqual(s.adminAddr, { host: 'localhost', port: 15000 });
    assert.deepEqual(s.statsAddr, { host: '0.0.0.0', port: 15020 });
    assert.deepEqual(s.readinessAddr, { host: '0.0.0.0', port: 15021 });
    assert.equal(s.sessionTtlMs, 30 * 60_000);
    assert.equal(s.maxBufferSize, 2 * 1024 * 1024);
    assert.equal(s.connectionTerminationDeadlineMs, 5_000);
    assert.deepEqual(s.backend, {
      connectTimeoutMs: 10_000,
      poolIdleTimeoutMs: 90_000,
      poolMaxSize: undefined,
    });
    assert.equal(s.logging.level, 'info');
    assert.equal(s.logging.format, 'auto');
    assert.equal(s.tracing, undefined);
  });

  test('target timeouts and backend modes', () => {
    const b = loadText(SHORTHAND).config.binds[0]!.listeners[0]!.routes[0]!.backends[0]!;
    assert.ok(b.kind === 'mcp');
    assert.deepEqual(
      [b.statefulMode, b.prefixMode, b.failureMode, b.dnsRebindingProtection],
      ['stateful', 'conditional', 'failClosed', undefined],
    );
    assert.deepEqual([b.sessionIdleTtlMs, b.maxBodyBytes, b.weight], [30 * 60_000, 2 * 1024 * 1024, 1]);
    assert.deepEqual([b.targets[0]!.connectTimeoutMs, b.targets[0]!.requestTimeoutMs], [10_000, 60_000]);
  });

  test('config.backend.connectTimeout and config.mcp.sessionTtl are the per-backend defaults', () => {
    const { config } = loadText(
      `config:\n  backend: {connectTimeout: 3s}\n  mcp: {sessionTtl: 2m}\n${SHORTHAND}`,
    );
    const b = config.binds[0]!.listeners[0]!.routes[0]!.backends[0]!;
    assert.ok(b.kind === 'mcp');
    assert.equal(b.sessionIdleTtlMs, 120_000);
    assert.equal(b.targets[0]!.connectTimeoutMs, 3_000);
  });

  test('enableIpv6: false binds 0.0.0.0 by default; address overrides', () => {
    assert.equal(loadText(SHORTHAND).config.binds[0]!.address, '::');
    assert.equal(loadText(`config: {enableIpv6: false}\n${SHORTHAND}`).config.binds[0]!.address, '0.0.0.0');
    const bound = loadText('binds:\n- port: 1\n  address: 127.0.0.1\n  listeners: [{routes: []}]\n');
    assert.equal(bound.config.binds[0]!.address, '127.0.0.1');
  });
});

describe('the mcp: shorthand', () => {
  test('becomes bind/<port>, listener mcp, route mcp:default, backend mcp', () => {
    const { config } = loadText(`${SHORTHAND}  policies:\n    cors: {allowOrigins: ["*"]}\n`);
    const bind = config.binds[0]!;
    const listener = bind.listeners[0]!;
    const route = listener.routes[0]!;
    assert.deepEqual([bind.key, bind.port, bind.at], ['bind/3000', 3000, ['mcp']]);
    assert.deepEqual(
      [listener.key, listener.name, listener.gatewayName],
      ['mcp/bind/3000', 'mcp', 'bind/3000'],
    );
    assert.deepEqual(
      [route.key, route.name, route.ruleName, route.at],
      ['mcp:default', 'default', 'default', ['mcp']],
    );
    assert.deepEqual(route.policies, { cors: { allowOrigins: ['*'] } });
    assert.equal(route.backends[0]!.kind === 'mcp' && route.backends[0]!.name, 'mcp');
    assert.deepEqual(route.backends[0]!.kind === 'mcp' && route.backends[0]!.targets[0]!.at, [
      'mcp',
      'targets',
      0,
    ]);
  });

  test('coexists with binds on other ports', () => {
    const { config } = loadText(
      `${SHORTHAND}  port: 4000\nbinds:\n- port: 3000\n  listeners: [{routes: []}]\n`,
    );
    assert.deepEqual(
      config.binds.map((b) => b.key),
      ['bind/3000', 'bind/4000'],
    );
  });
});

describe('environment overrides', () => {
  test('ADMIN_ADDR, STATS_ADDR and READINESS_ADDR win over the file', () => {
    const { config } = loadText('config:\n  adminAddr: localhost:1\n', {
      env: { ADMIN_ADDR: '0.0.0.0:15000', STATS_ADDR: '[::1]:9', READINESS_ADDR: ':8' },
    });
    assert.deepEqual(config.static.adminAddr, { host: '0.0.0.0', port: 15000 });
    assert.deepEqual(config.static.statsAddr, { host: '::1', port: 9 });
    assert.deepEqual(config.static.readinessAddr, { host: '0.0.0.0', port: 8 });
  });

  test('host:port parsing', () => {
    assert.deepEqual(parseHostPort('localhost:15000'), { host: 'localhost', port: 15000 });
    assert.deepEqual(parseHostPort('[::]:15020'), { host: '::', port: 15020 });
    for (const bad of ['localhost', ':', 'a:b', 'h:70000', '::1:80'])
      assert.equal(parseHostPort(bad), undefined, bad);
  });
});

describe('MCP target URLs', () => {
  const cases: [
    kind: 'mcp' | 'sse',
    host: string,
    port: number | undefined,
    path: string | undefined,
    url: string,
  ][] = [
    ['mcp', 'http://localhost:3001/mcp', undefined, undefined, 'http://localhost:3001/mcp'],
    ['mcp', 'http://localhost:3001', undefined, undefined, 'http://localhost:3001/'],
    ['mcp', 'https://mcp.example.com', undefined, undefined, 'https://mcp.example.com/'],
    [
      'mcp',
      'https://mcp.example.com:8443/v1/mcp?x=1',
      undefined,
      undefined,
      'https://mcp.example.com:8443/v1/mcp?x=1',
    ],
    ['mcp', 'localhost:3001', undefined, undefined, 'http://localhost:3001/mcp'],
    ['sse', 'localhost:3001', undefined, undefined, 'http://localhost:3001/sse'],
    ['mcp', 'localhost', undefined, undefined, 'http://localhost/mcp'],
    ['sse', 'localhost:3001/events', undefined, undefined, 'http://localhost:3001/events'],
    ['mcp', 'localhost', 3001, '/custom', 'http://localhost:3001/custom'],
    ['mcp', '::1', 3001, 'mcp', 'http://[::1]:3001/mcp'],
    ['mcp', 'HTTP://Example.COM/mcp', undefined, undefined, 'http://example.com/mcp'],
  ];
  for (const [kind, host, port, path, url] of cases) {
    test(`${kind} ${host}${port ? ` + ${port} + ${path}` : ''} → ${url}`, () => {
      const r = targetUrl(kind, { host, port, path });
      assert.ok('url' in r, JSON.stringify(r));
      assert.equal(r.url.href, url);
    });
  }

  const errors: [
    host: string,
    port: number | undefined,
    path: string | undefined,
    field: string,
    msg: RegExp,
  ][] = [
    ['localhost', 3001, undefined, 'port', /if port or path is set, both must be set/],
    ['localhost', undefined, '/mcp', 'path', /if port or path is set, both must be set/],
    ['ftp://localhost/mcp', undefined, undefined, 'host', /invalid scheme "ftp"/],
    ['http://localhost', 3001, '/mcp', 'host', /bare hostname/],
    ['http://', undefined, undefined, 'host', /invalid host/],
  ];
  for (const [host, port, path, field, msg] of errors) {
    test(`rejects ${host} ${port ?? ''} ${path ?? ''}`, () => {
      const r = targetUrl('mcp', { host, port, path });
      assert.ok('error' in r);
      assert.equal(r.field, field);
      assert.match(r.error, msg);
    });
  }
});

describe('the normalized config is frozen', () => {
  test('deeply', () => {
    const { config } = loadText(`${SHORTHAND}  policies:\n    mcpAuthorization: {rules: ["true"]}\n`);
    const route = config.binds[0]!.listeners[0]!.routes[0]!;
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.static.adminAddr));
    assert.ok(Object.isFrozen(route.matches[0]!.path));
    assert.ok(Object.isFrozen(route.policies.mcpAuthorization!.rules));
    assert.throws(() => {
      (config.binds as unknown as unknown[]).push({});
    }, TypeError);
  });

  test('the source keeps the original text, not the expanded one', () => {
    const text = 'mcp:\n  port: $P\n  targets: [{name: a, stdio: {cmd: node}}]\n';
    const { config } = loadText(text, { env: { P: '4000' }, name: 'x.yaml' });
    assert.equal(config.source.text, text);
    assert.equal(config.source.name, 'x.yaml');
    assert.equal(config.source.file, undefined);
  });
});
