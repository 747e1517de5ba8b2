/** McpAuthorizer / HTTP authorization behaviour beyond single decisions: caching, clock, warnings. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMcpAuthorization } from '../../src/policies/authorization/mcp.js';
import { compileHttpAuthorization } from '../../src/policies/authorization/http.js';
import { denyRuleWarner, type DenyRuleErrorEvent } from '../../src/policies/authorization/options.js';
import { AT, buildContext, identity, subject, tool } from './helpers.js';

describe('McpAuthorizer', () => {
  test('no rules: a named authorizer that allows everything', () => {
    const a = compileMcpAuthorization({ rules: [] }, buildContext(), AT);
    assert.equal(a.decide.name, 'mcpAuthorizationNoRules');
    assert.deepEqual(a.decide(tool('x'), subject(null)), {
      allowed: true,
      rule: undefined,
      reason: 'no rules: allowed',
    });
  });

  test('decide is a named function; decisions are reused objects for the common cases', () => {
    const a = compileMcpAuthorization({ rules: ['mcp.tool.name == "echo"'] }, buildContext(), AT);
    assert.equal(a.decide.name, 'mcpAuthorization');
    const s = subject(null);
    assert.equal(a.decide(tool('echo'), s), a.decide(tool('echo'), s));
    assert.ok(Object.isFrozen(a.decide(tool('echo'), s)));
  });

  test('`now` moves on for a long-lived subject (activation cache is per second)', () => {
    let clock = 1_000_000_000_000;
    const a = compileMcpAuthorization({ rules: ['now < 1000000002'] }, buildContext(), AT, {
      now: () => clock,
    });
    const s = subject(identity({ sub: 'a' }));
    assert.equal(a.decide(tool('x'), s).allowed, true);
    clock += 999;
    assert.equal(a.decide(tool('x'), s).allowed, true);
    clock += 2_000;
    assert.equal(a.decide(tool('x'), s).allowed, false, 'same subject, later second');
  });

  test('the activation is per subject: a different caller is never served a cached one', () => {
    const a = compileMcpAuthorization({ rules: ['jwt.sub == "alice"'] }, buildContext(), AT);
    assert.equal(a.decide(tool('x'), subject(identity({ sub: 'alice' }))).allowed, true);
    assert.equal(a.decide(tool('x'), subject(identity({ sub: 'bob' }))).allowed, false);
    assert.equal(a.decide(tool('x'), subject(null)).allowed, false);
  });

  test('failing deny rules are reported with rule, item and subject; the warner logs without the token', () => {
    const events: DenyRuleErrorEvent[] = [];
    const a = compileMcpAuthorization({ rules: [{ deny: 'jwt.banned' }] }, buildContext(), AT, {
      onDenyRuleError: (e) => events.push(e),
    });
    const s = subject(identity({ sub: 'alice' }));
    assert.equal(a.decide(tool('x', 'fs'), s).allowed, true, 'fail-open: a failing deny rule does not deny');
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]?.rule, { index: 0, effect: 'deny', source: 'jwt.banned' });
    assert.deepEqual(events[0]?.item, tool('x', 'fs'));

    const lines: [Record<string, unknown>, string][] = [];
    denyRuleWarner({ warn: (obj, msg) => void lines.push([obj, msg]) })(events[0] as DenyRuleErrorEvent);
    const [obj, msg] = lines[0] ?? [{}, ''];
    assert.match(msg, /deny rule failed to evaluate/);
    assert.deepEqual(obj, {
      'authz.rule': 'rules[0]',
      'authz.rule.source': 'jwt.banned',
      error: 'No such key: banned',
      'jwt.sub': 'alice',
      'mcp.tool.name': 'x',
      'mcp.target': 'fs',
    });
    assert.ok(!JSON.stringify(obj).includes('never-logged'));
  });
});

describe('HTTP authorization', () => {
  test('check() is named, sees request/jwt/source, and decides like mcpAuthorization', () => {
    const events: DenyRuleErrorEvent[] = [];
    const h = compileHttpAuthorization(
      {
        rules: [
          { deny: 'jwt.sub == "mallory"' },
          'source.address == "127.0.0.1" && request.method == "POST"',
        ],
      },
      buildContext(),
      AT,
      { onDenyRuleError: (e) => events.push(e) },
    );
    assert.equal(h.check.name, 'httpAuthorization');
    assert.equal(h.check(subject(identity({ sub: 'alice' }))).allowed, true);
    const denied = h.check(subject(identity({ sub: 'mallory' })));
    assert.deepEqual(
      [denied.allowed, denied.rule?.index, denied.reason],
      [false, 0, 'denied by rules[0]: jwt.sub == "mallory"'],
    );
    assert.equal(
      h.check(subject(null)).allowed,
      true,
      'the deny rule errors without a token (reported), the allow rule holds',
    );
    assert.equal(events.length, 1);
    assert.equal(events[0]?.item, undefined);
    assert.equal(h.check(subject(null, { address: '10.0.0.1' })).allowed, false);
  });
});
