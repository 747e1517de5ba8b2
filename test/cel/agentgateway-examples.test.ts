/**
 * agentgateway's documented CEL examples, one row each: the function table, header views and query
 * accessors of its schema/cel-functions.md and the expected outputs of its function tests, run
 * through our compile path (`tryCompileCel`: type check at load, then evaluation) with a real
 * request activation. `FAILS` rows must fail to evaluate, as agentgateway documents.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildActivation,
  buildBaseActivation,
  tryCompileCel,
  type CelActivation,
} from '../../src/cel/index.js';
import type { CelVariableSet } from '../../src/cel/environment.js';

const FAILS = Symbol('fails');
/** Fails already at load (type check): stricter than agentgateway, which fails at evaluation. */
const REJECTED = Symbol('rejected at load');

const subject = {
  identity: null,
  request: {
    method: 'GET',
    path: '/api/test',
    host: 'example.com',
    scheme: 'http' as const,
    pathAndQuery: '/api/test?foo=bar&foo=baz',
    headers: {
      authorization: 'Bearer abc',
      'x-forwarded-for': 'a,b, c',
      cookie: 'theme=dark; session=s3cr3t',
      'user-agent': 'curl',
    },
  },
  source: { address: '::ffff:10.1.2.3', port: 40000 },
};

function activation(set: CelVariableSet): CelActivation {
  if (set === 'mcp')
    return buildActivation(
      { ...subject, mcpMethod: 'tools/call' },
      { kind: 'tool', name: 'echo', target: 'everything' },
    );
  return buildBaseActivation(subject);
}

/** CEL → plain values for comparison: maps as objects; ints stay bigint. */
function plain(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function run(expr: string, set: CelVariableSet = 'http'): unknown {
  const c = tryCompileCel(expr, { variables: set, expect: 'any' });
  if (!c.ok) return REJECTED;
  try {
    return plain(c.evaluate(activation(set)));
  } catch {
    return FAILS;
  }
}

const table = (rows: readonly (readonly [string, unknown])[], set: CelVariableSet = 'http') => {
  for (const [expr, want] of rows) it(expr, () => assert.deepEqual(run(expr, set), want));
};

describe('agentgateway CEL: functions', () => {
  table([
    ['json(\'{"hi":1}\').hi', 1n],
    ['json(\'{"hi":1}\').unknown', FAILS],
    ['jsonField(\'{"hi":1}\', "hi")', 1n],
    ['jsonField(\'{"hi":1}\', "unknown")', FAILS],
    ['jsonField(b\'{"model":"gpt"}\', "model")', 'gpt'],
    ['toJson({"hello": "world"})', '{"hello":"world"}'],
    [
      'unvalidatedJwtPayload("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjMiLCJhZG1pbiI6dHJ1ZX0.")',
      { sub: '123', admin: true },
    ],
    ['unvalidatedJwtPayload("eyJhbGciOiJub25lIn0.eyJkYXRhIjoifn5-In0.").data', '~~~'],
    ['unvalidatedJwtPayload("not-a-jwt")', FAILS],
    ['[1,2].with(a, a + a)', [1n, 2n, 1n, 2n]],
    ['{"a": 1, "b": 2}.mapValues(v, v * 2)', { a: 2n, b: 4n }],
    ['{"a":1,"b":2}.filterKeys(k, k == "a")', { a: 1n }],
    ['{"a": 1}.filterKeys(k, k == "z")', {}],
    ['{"a": 1, "b": 2}.filterKeys(k, false)', {}],
    ['{"x_a": 1, "b": 2}.filterKeys(k, !k.startsWith("x_"))', { b: 2n }],
    ['{"a": 1}.filterKeys(k, k / 0)', REJECTED],
    ['{"a": 1}.filterKeys(k, 42)', REJECTED],
    ['[1, 2].filterKeys(k, true)', FAILS],
    ['{"a":2,"k":"v"}.merge({"a":3})', { a: 3n, k: 'v' }],
    ['{"a":2}.merge({"b":3})', { a: 2n, b: 3n }],
    ['base64.encode("hello")', 'aGVsbG8='],
    ['base64Encode("hello")', 'aGVsbG8='],
    ['string(base64.decode("aGVsbG8K"))', 'hello\n'],
    ['string(base64.decode(base64.encode("hello")))', 'hello'],
    ['string(base64Decode(base64Encode("hello")))', 'hello'],
    ["string(base64.decode('Zg=='))", 'f'],
    ["string(base64.decode('Zg'))", 'f'],
    ['url.encode("hello world/?x=1")', 'hello%20world%2F%3Fx%3D1'],
    ['url.encode("hello world/?x=1&y=2")', 'hello%20world%2F%3Fx%3D1%26y%3D2'],
    ['url.encode("abc-._~")', 'abc-._~'],
    ['url.encode("!")', '%21'],
    ['url.decode("hello%20world")', 'hello world'],
    ['url.decode("a+b")', 'a+b'],
    ['url.decode("%FF")', FAILS],
    ['form.decode("a=1&a=2")', { a: ['1', '2'] }],
    ['form.decode("client_id=abc&scope=openid+profile")', { client_id: 'abc', scope: 'openid profile' }],
    ['form.encode({"scope": "openid profile"})', 'scope=openid+profile'],
    [
      'form.decode(form.encode({"client_id": "app id", "scope": "openid profile"}))',
      { client_id: 'app id', scope: 'openid profile' },
    ],
    ['form.encode({"b": ["2", "3"], "a": 1, "n": null})', 'a=1&b=2&b=3'],
    ['form.encode({"bad": {}})', FAILS],
    ['sha1.encode("hello")', 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d'],
    ['sha256.encode("hello")', '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'],
    ['md5.encode("hello")', '5d41402abc4b2a76b9719d911017c592'],
    ['random() >= 0.0 && random() < 1.0', true],
    ['default(request.headers["missing-header"], "fallback")', 'fallback'],
    ['default({"a":1}["a"], 2)', 1n],
    ['default({"a":1}["b"], 2)', 2n],
    ['coalesce({"a":1}["b"], {"a":2}["a"], 3)', 2n],
    ['coalesce(fail("bad"), 1 / 0, "fallback")', 'fallback'],
    ['coalesce(null, "fallback")', 'fallback'],
    ['coalesce(null)', null],
    ['coalesce(fail("bad"), 1 / 0)', FAILS],
    ['"/id/1234/data".regexReplace("/id/[0-9]*/", "/id/{id}/")', '/id/{id}/data'],
    ['"blah id=1234 bar".regexReplace("id=(.+?) ", "[$1] ")', 'blah [1234] bar'],
    ['fail("no")', FAILS],
    ['uuid().size() == 36', true],
    ['[1, 2].contains(2) && {"a": 1}.contains("a")', true],
    ['"abc".charAt(1) + "x".replace("x", "y") + "ab".reverse()', 'byba'],
    ['"/api/x".stripPrefix("/api") + "f.json".stripSuffix(".json")', '/xf'],
    ['math.greatest(-42.0, -21.5, -100.0)', -21.5],
    ['math.least([-42.0, -21.5, -100.0])', -100],
    ['math.ceil(1.2)', 2],
    ['math.round(-1.5)', -2],
    ['math.trunc(-1.3)', -1],
    ['math.sign(-42)', -1n],
    ['math.sqrt(81)', 9],
    ['math.bitXor(1, 3)', 2n],
    ['math.bitShiftRight(1024, 2)', 256n],
    ['ip("192.168.0.1").family()', 4n],
    ['isIP("192.168.0.1.0")', false],
    ['ip("127.0.0.1").isLoopback()', true],
    ['ip("169.254.169.254").isLinkLocalUnicast()', true],
    ['ip("224.0.0.1").isLinkLocalMulticast()', true],
    ['ip("255.255.255.255").isGlobalUnicast()', false],
    ['ip("2001:db8::68").family()', 6n],
    ['cidr("10.0.0.0/8").containsIP(source.address)', true],
    ['cidr("192.168.0.0/16").containsCIDR("192.168.10.0/24")', true],
    ['cidr("10.1.2.3/8").prefixLength()', 8n],
  ]);
});

describe('agentgateway CEL: variables, header views, query accessors', () => {
  table([
    ['source.address', '10.1.2.3'],
    ['request.uri', 'http://example.com/api/test?foo=bar&foo=baz'],
    ['variables().source.address', '10.1.2.3'],
    ['"request" in variables() && "jwt" in variables()', true],
    ['request.headers.redacted().authorization', '<redacted>'],
    ['request.headers.redacted()["user-agent"]', 'curl'],
    ['request.headers.join()["x-forwarded-for"]', 'a,b,c'],
    ['request.headers.raw()["user-agent"]', ['curl']],
    ['request.headers.split()["x-forwarded-for"]', ['a', 'b', 'c']],
    ['request.headers.redacted().split()["authorization"]', ['<redacted>']],
    ['request.headers.cookie("session")', 's3cr3t'],
    ['request.headers.cookie("missing")', FAILS],
    ['request.pathAndQuery.query("foo") == ["bar", "baz"]', true],
    ['request.pathAndQuery.query("zap")', FAILS],
    ['request.pathAndQuery.addQuery("foo", "qux") == "/api/test?foo=bar&foo=baz&foo=qux"', true],
    ['request.uri.setQuery("foo", "qux") == "http://example.com/api/test?foo=qux"', true],
  ]);
  table(
    [
      ['mcp.methodName', 'tools/call'],
      ['mcp.tool.name + "@" + mcp.tool.target', 'echo@everything'],
      ['variables().mcp.tool.name', 'echo'],
    ],
    'mcp',
  );
});
