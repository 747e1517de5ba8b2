/** agentgateway's documented CEL library (src/cel/library.ts, src/cel/ip.ts) and context variables. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBaseActivation } from '../../src/cel/activation.js';
import { celEnvironment } from '../../src/cel/environment.js';

const env = celEnvironment('http');
const run = (expr: string, vars: Record<string, unknown> = {}): unknown => {
  assert.ok(env.check(expr).valid, `${expr} type-checks`);
  return env.evaluate(expr, vars);
};

test('contains on lists and maps (jwt.groups.contains)', () => {
  assert.equal(run('jwt.groups.contains("admins")', { jwt: { groups: ['users', 'admins'] } }), true);
  assert.equal(run('jwt.groups.contains("admins")', { jwt: { groups: ['users'] } }), false);
  assert.equal(run('[1, 2].contains(2) && !["a"].contains("b")'), true);
  assert.equal(run('{"a": 1}.contains("a") && !{"a": 1}.contains("b")'), true);
  assert.equal(run('"abc".contains("b")'), true);
});

test('namespaced helpers and their legacy global forms', () => {
  const cases: [string, unknown][] = [
    ['base64.encode("hello")', 'aGVsbG8='],
    ['string(base64.decode("aGVsbG8="))', 'hello'],
    ['base64Encode("hello")', 'aGVsbG8='],
    ['string(base64Decode("aGVsbG8="))', 'hello'],
    ['url.encode("hello world/?x=1")', 'hello%20world%2F%3Fx%3D1'],
    ['url.decode("hello%20world")', 'hello world'],
    ['sha256.encode("hello")', '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'],
    ['sha1.encode("hello")', 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d'],
    ['md5.encode("hello")', '5d41402abc4b2a76b9719d911017c592'],
    ['math.greatest(1, 5, 3)', 5n],
    ['math.least([4, 2, 8])', 2n],
    ['math.abs(-3)', 3n],
    ['math.bitAnd(6, 3)', 2n],
    ['"/api/x".stripPrefix("/api")', '/x'],
    ['uuid().matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")', true],
    ['coalesce(jwt.missing, null, "fallback")', 'fallback'],
    ['default(jwt.missing, "d")', 'd'],
  ];
  for (const [expr, want] of cases) assert.deepEqual(run(expr, { jwt: {} }), want, expr);
});

test('IP and CIDR libraries', () => {
  assert.equal(run('cidr("10.0.0.0/8").containsIP("10.1.2.3")'), true);
  assert.equal(run('cidr("10.0.0.0/8").containsIP(ip("11.0.0.1"))'), false);
  assert.equal(run('cidr("2001:db8::/32").containsIP("2001:db8::1")'), true);
  assert.equal(run('cidr("10.0.0.0/8").containsCIDR("10.1.0.0/16")'), true);
  assert.equal(run('string(cidr("10.1.2.3/8").masked())'), '10.0.0.0/8');
  assert.equal(run('ip("::1").isLoopback() && ip("127.0.0.1").isLoopback()'), true);
  assert.equal(run('ip("8.8.8.8").isGlobalUnicast() && ip("8.8.8.8").family() == 4'), true);
  assert.equal(run('isIP("1.2.3.4") && isIP("::1") && !isIP("1.2.3")'), true);
  assert.throws(() => env.evaluate('cidr("nope")', {}));
});

test('request.uri, pathAndQuery, version, startTime; source IPv4 canonical; destination', () => {
  const a = buildBaseActivation({
    identity: null,
    request: {
      method: 'GET',
      path: '/mcp',
      host: 'example.com',
      scheme: 'http',
      headers: {},
      pathAndQuery: '/mcp?x=1',
      version: 'HTTP/1.1',
      startTime: '2026-01-01T00:00:00.000Z',
      destination: { address: '::ffff:10.0.0.1', port: 3000 },
    },
    source: { address: '::ffff:127.0.0.1', port: 5555 },
  });
  const vars = a as unknown as Record<string, unknown>;
  assert.equal(run('request.uri', vars), 'http://example.com/mcp?x=1');
  assert.equal(run('request.pathAndQuery', vars), '/mcp?x=1');
  assert.equal(run('request.version', vars), 'HTTP/1.1');
  assert.equal(run('request.startTime', vars), '2026-01-01T00:00:00.000Z');
  assert.equal(run('source.address', vars), '127.0.0.1');
  assert.equal(run('destination.address + ":" + string(destination.port)', vars), '10.0.0.1:3000');
});
