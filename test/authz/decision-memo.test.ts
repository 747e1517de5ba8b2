/**
 * The per-identity decision memo of mcpAuthorization (src/policies/authorization/decision-memo.ts):
 * list filtering evaluates the rules once per (identity, item) when they read only the identity and the
 * item, gives exactly the decisions a fresh evaluation gives, and never remembers across identities,
 * across request-dependent rules, or past its bound.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Identity } from '../../src/contracts/request-context.js';
import { compileMcpAuthorization } from '../../src/policies/authorization/mcp.js';
import { MAX_PER_IDENTITY } from '../../src/policies/authorization/decision-memo.js';
import { AT, buildContext, identity, subject, tool } from './helpers.js';

const TEN_RULES = [
  'mcp.tool.name == "echo"',
  'jwt.sub == "test-user" && mcp.tool.name == "get-sum"',
  'mcp.tool.name == "get-env" && jwt.nested.key == "value"',
  'mcp.tool.name == "tool-004"',
  'mcp.tool.name == "tool-005" && jwt.sub == "someone-else"',
  'jwt.groups.exists(g, g == "ops") && mcp.tool.name.startsWith("ops-")',
  { deny: 'mcp.tool.name == "secret" ' },
  'jwt.sub == "test-user" && mcp.tool.name.startsWith("tool-1")',
  'jwt.nested.key == "value" && mcp.tool.name.endsWith("0")',
  'mcp.tool.name.contains("-19")',
];

const NAMES = [
  'echo',
  'get-sum',
  'get-env',
  'secret',
  'ops-restart',
  ...Array.from({ length: 195 }, (_, i) => `tool-${String(i + 4).padStart(3, '0')}`),
];

/** The rules above, written in JavaScript: the expected list for each caller. */
function expected(claims: Record<string, unknown> | null, name: string): boolean {
  if (name === 'secret') return false;
  const sub = claims?.sub;
  const nested = (claims?.nested as { key?: string } | undefined)?.key;
  const groups = (claims?.groups as string[] | undefined) ?? [];
  return (
    name === 'echo' ||
    (sub === 'test-user' && name === 'get-sum') ||
    (name === 'get-env' && nested === 'value') ||
    name === 'tool-004' ||
    (name === 'tool-005' && sub === 'someone-else') ||
    (groups.includes('ops') && name.startsWith('ops-')) ||
    (sub === 'test-user' && name.startsWith('tool-1')) ||
    (nested === 'value' && name.endsWith('0')) ||
    name.includes('-19')
  );
}

function counting(): { now: () => number; calls: () => number } {
  let n = 0;
  return {
    now: () => {
      n++;
      return 1_700_000_000_000;
    },
    calls: () => n,
  };
}

describe('decision memo', () => {
  const callers: [string, Identity | null][] = [
    ['anonymous', null],
    ['test-user with nested', identity({ sub: 'test-user', nested: { key: 'value' } })],
    ['test-user', identity({ sub: 'test-user' })],
    ['someone-else in ops', identity({ sub: 'someone-else', groups: ['ops'] })],
  ];

  test('lists are what a fresh evaluation decides, for every caller, on every repetition', () => {
    const clock = counting();
    const a = compileMcpAuthorization({ rules: TEN_RULES }, buildContext(), AT, { now: clock.now });
    for (let round = 0; round < 3; round++) {
      for (const [who, id] of callers) {
        const list = subject(id, { method: 'tools/list' });
        const call = subject(id, { method: 'tools/call' });
        const listed = NAMES.filter((n) => a.decide(tool(n), list).allowed);
        assert.deepEqual(
          listed,
          NAMES.filter((n) => expected(id?.claims ?? null, n)),
          `${who}, round ${round}`,
        );
        assert.ok(!listed.includes('secret'), 'the denied tool never appears');
        for (const n of NAMES)
          assert.equal(a.decide(tool(n), call).allowed, listed.includes(n), `${who} ${n}`);
      }
    }
  });

  test('a repeated list of one caller evaluates no rule', () => {
    const clock = counting();
    const a = compileMcpAuthorization({ rules: TEN_RULES }, buildContext(), AT, { now: clock.now });
    const id = identity({ sub: 'test-user', nested: { key: 'value' } });
    const first = NAMES.map((n) => a.decide(tool(n), subject(id)));
    const evaluations = clock.calls();
    assert.ok(evaluations >= NAMES.length, 'the first list evaluates every item');
    const second = NAMES.map((n) => a.decide(tool(n), subject(id)));
    assert.equal(clock.calls(), evaluations, 'the second list is answered from the memo');
    assert.deepEqual(second, first);
    // The same claims in another Identity object (another token) are evaluated afresh.
    NAMES.map((n) => a.decide(tool(n), subject(identity({ sub: 'test-user', nested: { key: 'value' } }))));
    assert.ok(clock.calls() >= evaluations + NAMES.length);
  });

  test('another target or method is another question', () => {
    const a = compileMcpAuthorization(
      { rules: ['mcp.tool.target == "a"', 'mcp.method == "prompts/list"'] },
      buildContext(),
      AT,
    );
    const id = identity({ sub: 'x' });
    assert.equal(a.decide(tool('t', 'a'), subject(id)).allowed, true);
    assert.equal(a.decide(tool('t', 'b'), subject(id)).allowed, false);
    assert.equal(a.decide(tool('t', 'b'), subject(id, { method: 'prompts/list' })).allowed, true);
    assert.equal(a.decide(tool('t', 'b'), subject(id)).allowed, false);
  });

  test('rules that read the request, the source or the clock are evaluated on every list', () => {
    for (const rule of [
      'request.headers["x-team"] == "blue"',
      'source.address == "10.0.0.1"',
      'now > 1700000000 && mcp.tool.name == "x"',
      'uuid() != "" && mcp.tool.name == "x"',
    ]) {
      const clock = counting();
      const a = compileMcpAuthorization({ rules: [rule] }, buildContext(), AT, { now: clock.now });
      const id = identity({ sub: 'x' });
      a.decide(tool('x'), subject(id));
      const before = clock.calls();
      a.decide(tool('x'), subject(id));
      assert.ok(clock.calls() > before, `${rule}: not memoized`);
    }
    const a = compileMcpAuthorization({ rules: ['request.headers["x-team"] == "blue"'] }, buildContext(), AT);
    const id = identity({ sub: 'x' });
    const blue = subject(id, { headers: { 'x-team': 'blue' } });
    const red = subject(id, { headers: { 'x-team': 'red' } });
    assert.equal(a.decide(tool('x'), blue).allowed, true);
    assert.equal(a.decide(tool('x'), red).allowed, false, 'same identity, another header');
  });

  test('a rule that reads the request through variables() is evaluated on every list', () => {
    const rule = 'variables().request.headers["x-team"] == "blue" && mcp.tool.name == "x"';
    const a = compileMcpAuthorization({ rules: [rule] }, buildContext(), AT);
    const id = identity({ sub: 'x' });
    const blue = subject(id, { headers: { 'x-team': 'blue' } });
    const red = subject(id, { headers: { 'x-team': 'red' } });
    assert.equal(a.decide(tool('x'), blue).allowed, true);
    assert.equal(a.decide(tool('x'), red).allowed, false, 'same identity, another header');
  });

  test('a deny rule that fails is reported on every list, not remembered', () => {
    const events: string[] = [];
    const a = compileMcpAuthorization(
      { rules: [{ deny: 'jwt.missing == "x"' }, 'true'] },
      buildContext(),
      AT,
      { onDenyRuleError: (e) => events.push(e.item?.name ?? '') },
    );
    const id = identity({ sub: 'x' });
    a.decide(tool('a'), subject(id));
    a.decide(tool('a'), subject(id));
    assert.deepEqual(events, ['a', 'a']);
  });

  test('beyond its bound the memo restarts and still decides right', () => {
    const a = compileMcpAuthorization(
      { rules: ['mcp.tool.name.endsWith("1")', { deny: 'mcp.tool.name == "n-11"' }] },
      buildContext(),
      AT,
    );
    const id = identity({ sub: 'x' });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < MAX_PER_IDENTITY + 50; i++) {
        const name = `n-${i}`;
        const want = name.endsWith('1') && name !== 'n-11';
        assert.equal(a.decide(tool(name), subject(id)).allowed, want, name);
      }
    }
  });
});
