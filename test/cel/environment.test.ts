/**
 * The CEL wrapper: variables per set, the semantics the rules rely on (spec-exact), the agentgateway
 * extension functions, evaluateBool, and the static "needs a token" analysis.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildActivation,
  evaluateBool,
  tryCompileCel,
  type CelActivation,
  type CelVariableSet,
} from '../../src/cel/index.js';
import { anonymousForm } from '../../src/cel/analysis.js';
import { celEnvironment } from '../../src/cel/environment.js';
import { celToJson } from '../../src/cel/extensions.js';
import type { McpItem } from '../../src/contracts/authorization.js';
import { identity, subject, tool } from '../authz/helpers.js';

const CLAIMS = {
  sub: 'alice',
  exp: 1_900_000_000,
  score: 0.5,
  roles: ['admin', 'dev'],
  nested: { key: 'value', deeper: { n: 2 } },
  empty: null,
  email: 'Alice@Example.com',
};

function activation(
  opts: { claims?: Record<string, unknown> | null; item?: McpItem; headers?: Record<string, string> } = {},
): CelActivation {
  const claims = opts.claims === undefined ? CLAIMS : opts.claims;
  return buildActivation(
    subject(claims ? identity(claims) : null, { headers: opts.headers }),
    opts.item ?? tool('echo', 'mcp2'),
    {
      nowMs: 1_800_000_000_500,
    },
  );
}

/** Compile (must succeed) and evaluate; returns the value or the thrown error's first line. */
function run(source: string, act: CelActivation = activation(), set: CelVariableSet = 'mcp'): unknown {
  const c = tryCompileCel(source, { variables: set, expect: 'any' });
  if (!c.ok) throw new Error(`did not compile: ${c.message}`);
  try {
    return c.evaluate(act);
  } catch (e) {
    return new Error((e as Error).message.split('\n')[0]);
  }
}

const isError = (v: unknown, re?: RegExp): boolean => v instanceof Error && (!re || re.test(v.message));

describe('variables', () => {
  test('jwt, mcp, request, source, destination, now', () => {
    const act = activation({ headers: { 'x-team': 'core' } });
    assert.equal(run('jwt.sub', act), 'alice');
    assert.equal(run('mcp.tool.name + "@" + mcp.tool.target', act), 'echo@mcp2');
    assert.equal(run('mcp.method', act), 'tools/list');
    assert.equal(
      run('request.method + " " + request.path + " " + request.host + " " + request.scheme', act),
      'POST /mcp gateway.test:3000 http',
    );
    assert.equal(run('request.headers["x-team"]', act), 'core');
    assert.equal(run('source.address + ":" + string(source.port)', act), '127.0.0.1:40000');
    assert.equal(run('now', act), 1_800_000_000n);
  });

  test('jwt is null without a token; reading a claim is an error, not false', () => {
    const act = activation({ claims: null });
    assert.equal(run('jwt == null', act), true);
    assert.ok(isError(run('jwt.sub', act), /No such key: sub/));
  });

  test('exactly one of mcp.tool / mcp.prompt / mcp.resource is set', () => {
    const act = activation({ item: { kind: 'resource', name: 'file:///a', target: 'fs' } });
    assert.equal(run('mcp.resource.name', act), 'file:///a');
    assert.equal(run('has(mcp.resource) && !has(mcp.tool) && !has(mcp.prompt)', act), true);
    assert.ok(isError(run('mcp.tool.name', act), /No such key: tool/));
  });

  test('variable sets: http has no mcp, log has response', () => {
    assert.equal(tryCompileCel('mcp.method == "x"', { variables: 'http', expect: 'bool' }).ok, false);
    assert.equal(tryCompileCel('request.path == "/"', { variables: 'http', expect: 'bool' }).ok, true);
    assert.equal(tryCompileCel('response.code >= 500', { variables: 'log', expect: 'bool' }).ok, true);
    assert.equal(tryCompileCel('response.code >= 500', { variables: 'mcp', expect: 'bool' }).ok, false);
    const act = buildActivation(subject(null), undefined, { response: { code: 503 }, nowMs: 0 });
    assert.equal(run('response.code >= 500 && jwt == null', act, 'log'), true);
  });
});

describe('semantics the rules rely on (spec-exact)', () => {
  test('missing keys are errors; has() tests presence', () => {
    assert.ok(isError(run('jwt.missing == "x"'), /No such key: missing/));
    assert.ok(isError(run('jwt.nested.missing')));
    assert.equal(run('has(jwt.nested)'), true);
    assert.equal(run('has(jwt.nested.key)'), true);
    assert.equal(run('has(jwt.missing)'), false);
    assert.equal(run('has(jwt.nested.nope)'), false);
    assert.equal(run('jwt.empty == null'), true);
  });

  test('&& and || absorb errors both ways (cel-go commutative semantics)', () => {
    assert.equal(run('jwt.missing || true'), true);
    assert.equal(run('true || jwt.missing'), true);
    assert.equal(run('jwt.missing && false'), false);
    assert.equal(run('false && jwt.missing'), false);
    assert.ok(isError(run('jwt.missing || false')));
    assert.ok(isError(run('jwt.missing && true')));
    assert.ok(isError(run('true ? jwt.missing : true')));
    assert.equal(run('false ? jwt.missing : true'), true);
  });

  test('`in` on lists and maps', () => {
    assert.equal(run('"admin" in jwt.roles'), true);
    assert.equal(run('"root" in jwt.roles'), false);
    assert.equal(run('"key" in jwt.nested'), true);
    assert.equal(run('"value" in jwt.nested'), false, 'map `in` checks keys, not values');
    assert.equal(run('2 in [1, 2, 3]'), true);
  });

  test('integer claims are ints, fractional ones doubles', () => {
    assert.equal(run('jwt.exp + 60 > now'), true);
    assert.equal(run('type(jwt.exp) == int && type(jwt.score) == double'), true);
    assert.equal(run('jwt.nested.deeper.n * 2'), 4n);
    assert.equal(run('jwt.score < 1'), true, 'double < int compares by value');
  });

  test('string functions', () => {
    assert.equal(
      run('jwt.email.startsWith("Alice") && jwt.email.endsWith(".com") && jwt.email.contains("@")'),
      true,
    );
    assert.equal(run('jwt.email.matches("^[A-Za-z]+@example\\\\.com$")'), false);
    assert.equal(run('jwt.email.lowerAscii().matches("^[a-z]+@example\\\\.com$")'), true);
    assert.equal(run('"a,b,c".split(",").size()'), 3n);
    assert.equal(run('size(jwt.sub)'), 5n);
    assert.equal(
      run('" x ".trim() + "abc".substring(1) + "ABC".lowerAscii() + "abc".upperAscii()'),
      'xbcabcABC',
    );
    assert.equal(run('"hello".indexOf("l") == 2 && "hello".lastIndexOf("l") == 3'), true);
    assert.equal(run('["a", "b"].join("-")'), 'a-b');
  });

  test('macros', () => {
    assert.equal(run('jwt.roles.exists(r, r == "dev")'), true);
    assert.equal(run('jwt.roles.all(r, r.size() > 2)'), true);
    assert.equal(run('jwt.roles.exists_one(r, r.startsWith("d"))'), true);
    assert.deepEqual(run('jwt.roles.map(r, r.upperAscii())'), ['ADMIN', 'DEV']);
    assert.deepEqual(run('jwt.roles.filter(r, r != "dev")'), ['admin']);
    assert.equal(run('cel.bind(n, jwt.nested, n.key == "value")'), true);
  });

  test('optional chaining', () => {
    assert.equal(run('jwt.?missing.orValue("anon")'), 'anon');
    assert.equal(run('jwt.?sub.orValue("anon")'), 'alice');
  });
});

describe('agentgateway extension functions', () => {
  test('default(expr, fallback)', () => {
    assert.equal(run('default(jwt.tier, "free")'), 'free');
    assert.equal(run('default(jwt.sub, "anon")'), 'alice');
    assert.equal(run('default(jwt.empty, "was null")'), 'was null');
    assert.equal(run('default(jwt.sub, "anon")', activation({ claims: null })), 'anon');
    assert.deepEqual(run('default(jwt.groups, [])'), []);
    assert.ok(isError(run('default(1 / 0, 2)')), 'only missing values fall back, not other errors');
  });

  test('x.with(name, expr)', () => {
    assert.equal(run('jwt.sub.with(s, s == "alice" || s == "bob")'), true);
    assert.equal(run('jwt.nested.with(n, n.key + "!")'), 'value!');
  });

  test('json, toJson, to_json', () => {
    assert.deepEqual(run('json("{\\"a\\": [1, 2.5, \\"x\\"]}")'), { a: [1n, 2.5, 'x'] });
    assert.equal(run('json("{\\"n\\": 3}").n + 1'), 4n, 'integers from json() are ints');
    assert.equal(run('toJson(jwt.nested)'), '{"key":"value","deeper":{"n":2}}');
    assert.equal(run('to_json([1, "a", true, null])'), '[1,"a",true,null]');
    assert.equal(run('toJson(b"hi")'), '"aGk="');
    assert.ok(isError(run('json("{not json")')));
  });

  test('mapValues and merge', () => {
    assert.deepEqual(run('{"a": 1, "b": 2}.mapValues(v, v * 10)'), { a: 10n, b: 20n });
    assert.deepEqual(run('{"a": 1, "b": 2}.merge({"b": 3, "c": 4})'), { a: 1n, b: 3n, c: 4n });
  });

  test('strings extension additions: charAt, replace, reverse', () => {
    assert.equal(run('"hello".charAt(1)'), 'e');
    assert.equal(run('"hello".charAt(5)'), '');
    assert.ok(isError(run('"hello".charAt(6)')));
    assert.equal(run('"a.b.c".replace(".", "/")'), 'a/b/c');
    assert.equal(run('"a.b.c".replace(".", "/", 1)'), 'a/b.c');
    assert.equal(run('"abc".replace("", "-")'), '-a-b-c-');
    assert.equal(run('"abc".replace("b", "x", 0)'), 'abc');
    assert.equal(run('"héllo".reverse()'), 'olléh');
  });

  test('regexReplace with Rust-style group references', () => {
    assert.equal(run('"user-42".regexReplace("[0-9]+", "N")'), 'user-N');
    assert.equal(run('"john.doe".regexReplace("(\\\\w+)\\\\.(\\\\w+)", "$2 ${1}")'), 'doe john');
    assert.equal(run('"a-b".regexReplace("(?<x>a)", "${x}${x}")'), 'aa-b');
  });

  test('base64', () => {
    assert.equal(run('"hello".base64Encode()'), 'aGVsbG8=');
    assert.equal(run('b"hello".base64Encode()'), 'aGVsbG8=');
    assert.equal(run('string("aGVsbG8=".base64Decode())'), 'hello');
    assert.equal(run('string("aGVsbG8".base64Decode())'), 'hello', 'unpadded');
    assert.ok(isError(run('"not base64!".base64Decode()')));
  });

  test('random()', () => {
    const v = run('random()');
    assert.ok(typeof v === 'number' && v >= 0 && v < 1);
  });

  test('celToJson handles every CEL value kind', () => {
    assert.deepEqual(
      celToJson(
        new Map<unknown, unknown>([
          ['a', 1n],
          [2n, [true]],
        ]),
      ),
      { a: 1, '2': [true] },
    );
    assert.equal(celToJson(2n ** 60n), '1152921504606846976');
    assert.equal(celToJson(new Date(0)), '1970-01-01T00:00:00.000Z');
    assert.equal(celToJson(Number.NaN), 'NaN');
  });
});

describe('evaluateBool', () => {
  const compile = (s: string) => {
    const c = tryCompileCel(s, { variables: 'mcp', expect: 'bool' });
    assert.ok(c.ok);
    return c.evaluate;
  };
  test('true, false, error, non-bool', () => {
    assert.deepEqual(evaluateBool(compile('true'), activation()), { value: true, error: undefined });
    assert.deepEqual(evaluateBool(compile('false'), activation()), { value: false, error: undefined });
    const err = evaluateBool(compile('jwt.nope == 1'), activation());
    assert.equal(err.value, false);
    assert.match(err.error?.message ?? '', /No such key: nope/);
    const nonBool = evaluateBool(compile('jwt.sub'), activation());
    assert.equal(nonBool.value, false);
    assert.match(nonBool.error?.message ?? '', /expected a bool, got string/);
  });
});

describe('anonymous form: the rule without the parts that fail without a token', () => {
  const cases: [string, 'never' | 'same' | string][] = [
    ['jwt.sub == "a"', 'never'],
    ['jwt.sub == "a" && mcp.tool.name == "add"', 'never'],
    ['mcp.tool.name == "x" && jwt.nested.key == "value"', 'never'],
    ['"admin" in jwt.roles', 'never'],
    ['jwt["sub"] == "a"', 'never'],
    ['jwt.exp + 60 > now', 'never'],
    ['jwt.sub == "a" || jwt.sub == "b"', 'never'],
    ['jwt.sub == "a" || mcp.tool.name == "echo"', 'mcp.tool.name == "echo"'],
    [
      '(jwt.sub == "a" && mcp.tool.name == "x") || "r" in default(jwt.roles, [])',
      '"r" in default(jwt.roles, [])',
    ],
    [
      'mcp.tool.name == "a" && (jwt.admin || mcp.tool.target == "t")',
      '(mcp.tool.name == "a") && (mcp.tool.target == "t")',
    ],
    ['jwt == null', 'same'],
    ['!(jwt.sub == "a")', 'same'],
    ['has(jwt.sub)', 'same'],
    ['default(jwt.sub, "anon") == "anon"', 'same'],
    ['jwt.roles.exists(r, r == "a")', 'same'],
    ['mcp.tool.name == "echo"', 'same'],
    ['true', 'same'],
  ];
  for (const [source, want] of cases) {
    test(`${source} → ${want}`, () => {
      const c = tryCompileCel(source, { variables: 'mcp', expect: 'bool' });
      assert.ok(c.ok);
      const parsed = celEnvironment('mcp').parse(source);
      const form = anonymousForm(parsed.ast, source);
      if (want === 'never' || want === 'same') assert.equal(form.kind, want);
      else assert.deepEqual(form, { kind: 'simplified', source: want });
      assert.equal(c.withoutJwt === undefined, want === 'never');
      if (want === 'same') assert.equal(c.withoutJwt, c.evaluate);
      // The claim: without a token, the anonymous form has the same truth as the full expression.
      for (const it of [tool('echo', 't'), tool('a', 't'), tool('x', 'u')]) {
        const act = activation({ claims: null, item: it });
        const full: boolean = evaluateBool(c.evaluate, act).value;
        const anon: boolean = c.withoutJwt ? evaluateBool(c.withoutJwt, act).value : false;
        assert.equal(anon, full, `${it.name}@${it.target}`);
      }
    });
  }
});
