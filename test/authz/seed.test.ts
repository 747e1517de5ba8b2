/**
 * The seed's promise at the authorizer level, with the claims of the seed's own tokens
 * (test/fixtures/seed-jwt): `echo` for anyone, `add` for sub == test-user, `printEnv` for tokens with
 * nested.key == "value" — and list filtering agrees with call decisions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Identity } from '../../src/contracts/request-context.js';
import { compileMcpAuthorization } from '../../src/policies/authorization/mcp.js';
import { compileHttpAuthorization } from '../../src/policies/authorization/http.js';
import { AT, buildContext, identity, seedClaims, SEED_RULES, subject, tool, item } from './helpers.js';

// server-everything's tool names at the time of the seed
const TOOLS = [
  'echo',
  'add',
  'printEnv',
  'longRunningOperation',
  'sampleLLM',
  'getTinyImage',
  'annotatedMessage',
];
const DECIDING_RULE: Record<string, number> = { echo: 0, add: 1, printEnv: 2 };

describe('seed rules with the seed tokens', () => {
  const authz = compileMcpAuthorization({ rules: [...SEED_RULES] }, buildContext(), AT);
  const example1 = identity(seedClaims('example1'));
  const example2 = identity(seedClaims('example2'));

  test('the fixtures decode to the documented claims', () => {
    assert.equal(example1.claims.sub, 'test-user');
    assert.deepEqual(example1.claims.nested, { key: 'value' });
    assert.equal(example2.claims.sub, 'test-user');
    assert.equal(example2.claims.nested, undefined);
    assert.equal(typeof example1.celClaims.exp, 'bigint', 'integer claims are CEL ints');
  });

  const visible = (id: Identity | null): string[] => {
    const s = subject(id, { method: 'tools/list' });
    return TOOLS.filter((name) => authz.decide(tool(name), s).allowed);
  };

  test('no token sees only echo', () => assert.deepEqual(visible(null), ['echo']));
  test('example2 sees echo and add', () => assert.deepEqual(visible(example2), ['echo', 'add']));
  test('example1 sees echo, add and printEnv', () =>
    assert.deepEqual(visible(example1), ['echo', 'add', 'printEnv']));

  test('calls are decided exactly like the list, with the deciding rule', () => {
    for (const id of [null, example1, example2]) {
      const listed = visible(id);
      for (const name of TOOLS) {
        const d = authz.decide(tool(name), subject(id, { method: 'tools/call' }));
        assert.equal(d.allowed, listed.includes(name), `${name}: ${d.reason}`);
        if (d.allowed) assert.equal(d.rule?.index, DECIDING_RULE[name]);
      }
    }
    const denied = authz.decide(tool('printEnv'), subject(example2, { method: 'tools/call' }));
    assert.deepEqual(
      [denied.allowed, denied.rule, denied.reason],
      [false, undefined, 'denied: no rule allowed it'],
    );
  });

  test('prompts and resources are hidden once rules exist', () => {
    for (const id of [null, example1]) {
      assert.equal(authz.decide(item('prompt', 'simple_prompt'), subject(id)).allowed, false);
      assert.equal(authz.decide(item('resource', 'test://static/resource/1'), subject(id)).allowed, false);
    }
  });

  test('token expiry arithmetic on the real claims', () => {
    const rules = ['jwt.exp + 60 > now && jwt.iat < now && "banana" in jwt.list'];
    const a = compileMcpAuthorization({ rules }, buildContext(), AT, { now: () => 1_751_558_060_000 + 1000 });
    assert.equal(a.decide(tool('x'), subject(example1)).allowed, true);
    assert.equal(a.decide(tool('x'), subject(example2)).allowed, false, 'example2 has no list claim');
    const later = compileMcpAuthorization({ rules }, buildContext(), AT, {
      now: () => 1_900_650_294_000 + 61_000,
    });
    assert.equal(later.decide(tool('x'), subject(example1)).allowed, false, 'expired');
  });

  test('the same rule language at the HTTP level', () => {
    const http = compileHttpAuthorization(
      {
        rules: [
          'jwt.sub == "test-user" && request.path.startsWith("/mcp")',
          { deny: 'request.headers["x-block"] == "1"' },
        ],
      },
      buildContext(),
      AT,
    );
    assert.equal(http.check(subject(example2)).allowed, true);
    assert.equal(http.check(subject(null)).allowed, false);
    const blocked = http.check(subject(example1, { headers: { 'x-block': '1' } }));
    assert.deepEqual([blocked.allowed, blocked.rule?.index, blocked.rule?.effect], [false, 1, 'deny']);
    assert.equal(http.check(subject(example1, { path: '/other' })).allowed, false);
  });
});
