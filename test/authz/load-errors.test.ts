/**
 * Load-time rejection of bad rules: every rule is parsed and type-checked when the config loads, and the
 * error names the rule's config path, says what is wrong, and shows the expression with a caret under
 * the bad spot.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleConfig } from '../../src/config/schema/policies.js';
import { ConfigError } from '../../src/config/errors.js';
import { compileHttpAuthorization } from '../../src/policies/authorization/http.js';
import { compileMcpAuthorization } from '../../src/policies/authorization/mcp.js';
import { compileCelExpression } from '../../src/cel/index.js';
import type { BuildContext } from '../../src/contracts/build-context.js';
import { AT, buildContext, type LocatedError } from './helpers.js';

interface Bad {
  readonly rule: RuleConfig;
  /** Expected message (regex over the first line). */
  readonly message: RegExp;
  /** The caret line: spaces then carets, exactly as printed under the expression line. */
  readonly caret: string;
  readonly policy?: 'mcp' | 'http';
}

const BAD: readonly Bad[] = [
  {
    rule: 'jtw.sub == "a"',
    message:
      /unknown variable 'jtw' \(available: jwt, apiKey, basicAuth, request, source, destination, now, mcp\)/,
    caret: '^^^',
  },
  {
    rule: 'mcp.tool.nme == "x"',
    message: /no such field 'nme' \(fields: name, target\)/,
    caret: '         ^^^',
  },
  {
    rule: 'mcp.tol.name == "x"',
    message: /no such field 'tol' \(fields: tool, prompt, resource, method, methodName\)/,
    caret: '    ^^^',
  },
  { rule: 'mcp.resource.uri == "x"', message: /no such field 'uri'/, caret: '             ^^^' },
  {
    rule: 'request.hedaers["a"] == "b"',
    message:
      /no such field 'hedaers' \(fields: method, path, host, scheme, headers, uri, pathAndQuery, version, startTime\)/,
    caret: '        ^^^^^^^',
  },
  {
    rule: 'source.addr == "10.0.0.1"',
    message: /no such field 'addr' \(fields: address, port\)/,
    caret: '       ^^^^',
  },
  { rule: 'mcp.tool.name ==', message: /syntax error: Unexpected token: EOF/, caret: '                ^' },
  {
    rule: 'mcp.tool.name == "echo',
    message: /syntax error: Unterminated string/,
    caret: '                 ^^^^^',
  },
  {
    rule: 'mcp.tool.name = "echo"',
    message: /syntax error: Unexpected character: =/,
    caret: '              ^',
  },
  { rule: '(jwt.sub == "a"', message: /syntax error: Expected RPAREN, got EOF/, caret: '               ^' },
  {
    rule: 'mcp.tool.name',
    message: /expected a boolean expression, but this is of type string/,
    caret: '^^^^^^^^^^^^^',
  },
  { rule: '1 + 2', message: /expected a boolean expression, but this is of type int/, caret: '^^^^^' },
  {
    rule: { allow: 'mcp.tool.name == 1' },
    message: /no such overload: string == int/,
    caret: '^^^^^^^^^^^^^^^^^^',
  },
  {
    rule: { deny: 'mcp.tool.name.startsWith(1)' },
    message: /found no matching overload for 'string.startsWith\(int\)'/,
    caret: '^^^^^^^^^^^^^^^^^^^^^^^^^^^',
  },
  { rule: { require: 'isAdmin(jwt)' }, message: /unknown function 'isAdmin'/, caret: '^^^^^^^^^^^^' },
  { rule: '"a" + 1 == "a1"', message: /no such overload: string \+ int/, caret: '^^^^^^^' },
  { rule: 'response.code == 200', message: /unknown variable 'response'/, caret: '^^^^^^^^' },
  {
    rule: 'mcp.tool.name == "x"',
    message:
      /unknown variable 'mcp' \(available: jwt, apiKey, basicAuth, request, source, destination, now\)/,
    caret: '^^^',
    policy: 'http',
  },
  { rule: 'source.port == "80"', message: /no such overload: int == string/, caret: '^'.repeat(19) },
  {
    rule: 'mcp.tool.name in "abc"',
    message: /no such overload: string in string/,
    caret: '^^^^^^^^^^^^^^^^^^^^^^',
  },
];

function compile(ctx: BuildContext, rules: RuleConfig[], policy: 'mcp' | 'http' = 'mcp'): void {
  if (policy === 'mcp') compileMcpAuthorization({ rules }, ctx, AT);
  else compileHttpAuthorization({ rules }, ctx, AT);
}

function source(rule: RuleConfig): string {
  return typeof rule === 'string' ? rule : (Object.values(rule)[0] as string);
}

describe('load-time rejection of bad rules', () => {
  test('at least 15 bad rules', () => assert.ok(BAD.length >= 15));
  for (const bad of BAD) {
    test(`rejects ${JSON.stringify(bad.rule)}`, () => {
      // A good rule first, so the bad one is rules[1] and the path must say so.
      const rules: RuleConfig[] = [
        'mcp' === (bad.policy ?? 'mcp') ? 'mcp.tool.name == "ok"' : 'true',
        bad.rule,
      ];
      const err = (() => {
        try {
          compile(buildContext(), rules, bad.policy);
        } catch (e) {
          return e as LocatedError;
        }
        assert.fail('expected a load error');
      })();
      const key = typeof bad.rule === 'string' ? [] : Object.keys(bad.rule);
      assert.deepEqual(err.at, [...AT, 'rules', 1, ...key]);
      const effect = typeof bad.rule === 'string' ? 'allow' : key[0];
      const [first, exprLine, caretLine] = err.detail.split('\n');
      assert.match(first ?? '', new RegExp(`^invalid CEL ${effect} rule: `));
      assert.match(first ?? '', bad.message);
      assert.equal(exprLine, `  ${source(bad.rule)}`, 'the rule text');
      assert.equal(caretLine, `  ${bad.caret}`, 'the caret under the bad spot');
    });
  }

  test('a multi-line rule shows the offending line with its number', () => {
    const rule =
      'mcp.tool.name == "echo" &&\n  jwt.nested.key == "value" &&\n  jwt.roels.exists(r, r == 1) && foo';
    try {
      compile(buildContext(), [rule]);
      assert.fail('expected a load error');
    } catch (e) {
      const lines = (e as LocatedError).detail.split('\n');
      assert.match(lines[0] ?? '', /unknown variable 'foo'/);
      assert.equal(lines[1], '  3 |   jwt.roels.exists(r, r == 1) && foo');
      assert.equal(lines[2], `  ${' '.repeat(4)}${' '.repeat(33)}^^^`);
    }
  });

  test('every bad rule is reported at once, each at its own path', () => {
    const ctx = buildContext();
    const issues: string[] = [];
    const merging: BuildContext = {
      ...ctx,
      // What the real loader does: a located ConfigError per problem.
      error: (at, message) =>
        new ConfigError([{ file: 'config.yaml', line: 1, column: 1, path: at.join('.'), message }]),
    };
    try {
      compile(merging, ['jtw.sub == "a"', 'mcp.tool.name == "ok"', { deny: 'mcp.tool.nme == "x"' }, '1']);
      assert.fail('expected a load error');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      for (const i of e.issues) issues.push(`${i.path}: ${i.message.split('\n')[0]}`);
    }
    const p = AT.join('.');
    assert.deepEqual(issues, [
      `${p}.rules.0: invalid CEL allow rule: unknown variable 'jtw' (available: jwt, apiKey, basicAuth, request, source, destination, now, mcp)`,
      `${p}.rules.2.deny: invalid CEL deny rule: no such field 'nme' (fields: name, target)`,
      `${p}.rules.3: invalid CEL allow rule: expected a boolean expression, but this is of type int`,
    ]);
  });

  test('without ConfigError, one error lists every bad rule with its location', () => {
    try {
      compile(buildContext(), ['jtw.sub == "a"', 'mcp.tool.nme == "x"']);
      assert.fail('expected a load error');
    } catch (e) {
      const err = e as LocatedError;
      assert.deepEqual(err.at, [...AT, 'rules', 0]);
      assert.match(err.detail, /^2 invalid CEL rules:\n/);
      assert.match(err.detail, /config\.yaml:.*rules\.0: invalid CEL allow rule: unknown variable 'jtw'/);
      assert.match(err.detail, /config\.yaml:.*rules\.1: invalid CEL allow rule: no such field 'nme'/);
    }
  });

  test('compileCelExpression: located error; any-typed expressions accepted', () => {
    const ctx = buildContext();
    assert.throws(
      () => compileCelExpression('jwt.sub +', ctx, ['x', 'key'], { variables: 'http', expect: 'any' }),
      (e: LocatedError) =>
        e.at.join('.') === 'x.key' && /^invalid CEL expression: syntax error/.test(e.detail),
    );
    assert.throws(
      () => compileCelExpression('request.path', ctx, ['x'], { variables: 'log', expect: 'bool' }),
      /expected a boolean expression, but this is of type string/,
    );
    const key = compileCelExpression('request.path', ctx, ['x'], { variables: 'http', expect: 'any' });
    assert.equal(typeof key, 'function');
    assert.doesNotThrow(() =>
      compileCelExpression('response.code >= 500', ctx, ['x'], { variables: 'log', expect: 'bool' }),
    );
  });
});
