/**
 * mcpAuthorization decisions, one row each: rules × claims × item → allowed?, which rule decided, why.
 * Decision algorithm: deny true → deny; require not true → deny; allow true → allow;
 * no allow rules → allow; else deny. An erroring rule is "not matched".
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleConfig } from '../../src/config/schema/policies.js';
import type { McpItem } from '../../src/contracts/authorization.js';
import { compileMcpAuthorization } from '../../src/policies/authorization/mcp.js';
import type { DenyRuleErrorEvent } from '../../src/policies/authorization/options.js';
import { AT, buildContext, identity, item, SEED_RULES, subject, tool } from './helpers.js';

const NOW_MS = 1_800_000_000_000; // the pinned clock: `now` == 1800000000

const EX1 = { sub: 'test-user', nested: { key: 'value' }, exp: 1900650294, list: ['apple', 'banana'] };
const EX2 = { sub: 'test-user', exp: 1900650294 };

interface Row {
  readonly name: string;
  readonly rules: readonly RuleConfig[];
  readonly claims: Record<string, unknown> | null;
  readonly item: McpItem;
  readonly allowed: boolean;
  /** Index of the deciding rule; null = no rule decided. */
  readonly rule: number | null;
  readonly reason?: RegExp;
  readonly headers?: Record<string, string>;
  readonly address?: string;
  readonly method?: string;
  /** Number of deny-rule evaluation errors reported. */
  readonly denyErrors?: number;
}

const ROWS: readonly Row[] = [
  // ---- no rules, seed rules ----
  {
    name: 'no rules → allow',
    rules: [],
    claims: null,
    item: tool('anything'),
    allowed: true,
    rule: null,
    reason: /^no rules: allowed$/,
  },
  {
    name: 'seed: echo for anyone',
    rules: SEED_RULES,
    claims: null,
    item: tool('echo'),
    allowed: true,
    rule: 0,
    reason: /^allowed by rules\[0\]: mcp\.tool\.name == "echo"$/,
  },
  {
    name: 'seed: add without token',
    rules: SEED_RULES,
    claims: null,
    item: tool('add'),
    allowed: false,
    rule: null,
    reason: /^denied: no rule allowed it$/,
  },
  {
    name: 'seed: add for test-user (example2)',
    rules: SEED_RULES,
    claims: EX2,
    item: tool('add'),
    allowed: true,
    rule: 1,
  },
  {
    name: 'seed: printEnv without nested claim (rule errors → not matched)',
    rules: SEED_RULES,
    claims: EX2,
    item: tool('printEnv'),
    allowed: false,
    rule: null,
  },
  {
    name: 'seed: printEnv with nested.key (example1)',
    rules: SEED_RULES,
    claims: EX1,
    item: tool('printEnv'),
    allowed: true,
    rule: 2,
  },
  {
    name: 'seed: unknown tool with example1',
    rules: SEED_RULES,
    claims: EX1,
    item: tool('rm'),
    allowed: false,
    rule: null,
  },
  {
    name: 'seed: add for another user',
    rules: SEED_RULES,
    claims: { sub: 'mallory' },
    item: tool('add'),
    allowed: false,
    rule: null,
  },
  // ---- deny / require / allow combinations ----
  {
    name: 'deny-only: matching tool denied',
    rules: [{ deny: 'mcp.tool.name == "rm"' }],
    claims: null,
    item: tool('rm'),
    allowed: false,
    rule: 0,
    reason: /^denied by rules\[0\]: mcp\.tool\.name == "rm"$/,
  },
  {
    name: 'deny-only: other tool allowed (deny-list)',
    rules: [{ deny: 'mcp.tool.name == "rm"' }],
    claims: null,
    item: tool('ls'),
    allowed: true,
    rule: null,
    reason: /no deny or require rule matched/,
  },
  {
    name: 'deny beats a true allow, whatever the order',
    rules: ['true', { deny: 'mcp.tool.name == "rm"' }],
    claims: EX1,
    item: tool('rm'),
    allowed: false,
    rule: 1,
  },
  {
    name: 'allow when the deny rule is false',
    rules: ['true', { deny: 'mcp.tool.name == "rm"' }],
    claims: EX1,
    item: tool('ls'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'deny rule that errors does not deny (fail-open, reported)',
    rules: [{ deny: 'jwt.sub == "mallory"' }],
    claims: null,
    item: tool('ls'),
    allowed: true,
    rule: null,
    denyErrors: 1,
  },
  {
    name: 'deny rule that errors, then an allow decides',
    rules: [{ deny: 'jwt.banned' }, 'mcp.tool.name == "ls"'],
    claims: EX2,
    item: tool('ls'),
    allowed: true,
    rule: 1,
    denyErrors: 1,
  },
  {
    name: 'deny rule with a non-bool result is reported too',
    rules: [{ deny: 'jwt.sub' }, 'true'],
    claims: EX2,
    item: tool('ls'),
    allowed: true,
    rule: 1,
    denyErrors: 1,
  },
  {
    name: 'require without token: error → deny',
    rules: [{ require: 'jwt.sub != ""' }, 'mcp.tool.name == "echo"'],
    claims: null,
    item: tool('echo'),
    allowed: false,
    rule: 0,
    reason: /^denied: rules\[0\] \(require\) not satisfied: jwt\.sub != "" \(error: No such key: sub\)$/,
  },
  {
    name: 'require satisfied, allow decides',
    rules: [{ require: 'jwt.sub != ""' }, 'mcp.tool.name == "echo"'],
    claims: EX2,
    item: tool('echo'),
    allowed: true,
    rule: 1,
  },
  {
    name: 'require false → deny',
    rules: [{ require: 'jwt.sub == "admin"' }, 'true'],
    claims: EX2,
    item: tool('echo'),
    allowed: false,
    rule: 0,
    reason: /^denied: rules\[0\] \(require\) not satisfied: jwt\.sub == "admin"$/,
  },
  {
    name: 'require-only satisfied → allow',
    rules: [{ require: 'jwt.sub == "test-user"' }],
    claims: EX2,
    item: tool('x'),
    allowed: true,
    rule: null,
  },
  {
    name: 'require-only unsatisfied → deny',
    rules: [{ require: 'jwt.sub == "test-user"' }],
    claims: { sub: 'other' },
    item: tool('x'),
    allowed: false,
    rule: 0,
  },
  {
    name: 'second of several allow rules decides',
    rules: ['mcp.tool.name == "a"', { allow: 'mcp.tool.name == "b"' }, 'mcp.tool.name == "c"'],
    claims: null,
    item: tool('b'),
    allowed: true,
    rule: 1,
  },
  {
    name: 'deny wins over require and allow',
    rules: [{ require: 'true' }, 'true', { deny: 'true' }],
    claims: null,
    item: tool('x'),
    allowed: false,
    rule: 2,
  },
  // ---- runtime types and errors ----
  {
    name: 'allow rule with a non-bool result is not matched',
    rules: ['jwt.admin'],
    claims: { admin: 'yes' },
    item: tool('x'),
    allowed: false,
    rule: null,
  },
  {
    name: 'dyn claim that is a bool',
    rules: ['jwt.admin'],
    claims: { admin: true },
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'missing claim → not matched',
    rules: ['jwt.sub == "test-user"'],
    claims: { iss: 'x' },
    item: tool('x'),
    allowed: false,
    rule: null,
  },
  {
    name: 'null claim compared → false',
    rules: ['jwt.sub == "x"'],
    claims: { sub: null },
    item: tool('x'),
    allowed: false,
    rule: null,
  },
  // ---- arrays and maps ----
  {
    name: '"admin" in jwt.roles (present)',
    rules: ['"admin" in jwt.roles'],
    claims: { roles: ['dev', 'admin'] },
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  {
    name: '"admin" in jwt.roles (absent)',
    rules: ['"admin" in jwt.roles'],
    claims: { roles: ['dev'] },
    item: tool('x'),
    allowed: false,
    rule: null,
  },
  {
    name: '"admin" in jwt.roles (no roles claim)',
    rules: ['"admin" in jwt.roles'],
    claims: { sub: 'a' },
    item: tool('x'),
    allowed: false,
    rule: null,
  },
  {
    name: 'roles.exists macro',
    rules: ['jwt.roles.exists(r, r.startsWith("adm"))'],
    claims: { roles: ['dev', 'admin'] },
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'roles.all macro',
    rules: ['size(jwt.roles) > 0 && jwt.roles.all(r, r != "banned")'],
    claims: { roles: ['dev', 'banned'] },
    item: tool('x'),
    allowed: false,
    rule: null,
  },
  {
    name: '`in` on a map checks keys',
    rules: ['"write" in jwt.perms'],
    claims: { perms: { write: true } },
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'nested maps',
    rules: ['jwt.org.team.name == "core"'],
    claims: { org: { team: { name: 'core' } } },
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'nested map missing in the middle',
    rules: ['jwt.org.team.name == "core"'],
    claims: { org: {} },
    item: tool('x'),
    allowed: false,
    rule: null,
  },
  {
    name: 'has() on a present nested key',
    rules: ['has(jwt.org.team)'],
    claims: { org: { team: {} } },
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'has() on an absent key is false, not an error',
    rules: ['!has(jwt.org) && mcp.tool.name == "x"'],
    claims: { sub: 'a' },
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'list index',
    rules: ['jwt.list[1] == "banana"'],
    claims: EX1,
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  // ---- mcp.* with multiplexing, prompts, resources ----
  {
    name: 'mcp.tool.target selects the upstream',
    rules: ['mcp.tool.target == "github" && mcp.tool.name.startsWith("read_")'],
    claims: null,
    item: tool('read_file', 'github'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'same tool name on another target',
    rules: ['mcp.tool.target == "github" && mcp.tool.name.startsWith("read_")'],
    claims: null,
    item: tool('read_file', 'gitlab'),
    allowed: false,
    rule: null,
  },
  {
    name: 'prompt rule allows the prompt',
    rules: ['mcp.prompt.name == "greet"'],
    claims: null,
    item: item('prompt', 'greet'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'prompt rule does not allow a tool of the same name',
    rules: ['mcp.prompt.name == "greet"'],
    claims: null,
    item: tool('greet'),
    allowed: false,
    rule: null,
  },
  {
    name: 'tool rules hide prompts once any rule exists',
    rules: SEED_RULES,
    claims: EX1,
    item: item('prompt', 'echo'),
    allowed: false,
    rule: null,
  },
  {
    name: 'resource by URI prefix',
    rules: ['mcp.resource.name.startsWith("file:///docs/")'],
    claims: null,
    item: item('resource', 'file:///docs/a.md', 'fs'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'resource template by exact name',
    rules: ['mcp.resource.name == "file:///{path}" && mcp.resource.target == "fs"'],
    claims: null,
    item: item('resource', 'file:///{path}', 'fs'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'has(mcp.tool) to write kind-neutral rules',
    rules: ['has(mcp.tool) ? mcp.tool.name == "echo" : true'],
    claims: null,
    item: item('prompt', 'p'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'mcp.method',
    rules: ['mcp.method == "tools/call" && mcp.tool.name == "x"'],
    claims: null,
    item: tool('x'),
    method: 'tools/call',
    allowed: true,
    rule: 0,
  },
  // ---- error absorption (cel-go semantics) ----
  {
    name: 'error || true → true (anonymous)',
    rules: ['jwt.sub == "x" || mcp.tool.name == "echo"'],
    claims: null,
    item: tool('echo'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'true || error → true (commutative)',
    rules: ['mcp.tool.name == "echo" || jwt.sub == "x"'],
    claims: null,
    item: tool('echo'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'error && false → false',
    rules: ['jwt.sub == "x" && mcp.tool.name == "nope"'],
    claims: null,
    item: tool('echo'),
    allowed: false,
    rule: null,
  },
  {
    name: 'jwt == null for anonymous callers',
    rules: ['jwt == null && mcp.tool.name == "public"'],
    claims: null,
    item: tool('public'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'jwt != null with a token',
    rules: ['jwt != null'],
    claims: EX2,
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  // ---- numbers and time ----
  {
    name: 'integer claims are CEL ints: jwt.exp > now',
    rules: ['jwt.exp > now'],
    claims: EX2,
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'expired: jwt.exp + 60 > now is false',
    rules: ['jwt.exp + 60 > now'],
    claims: { exp: 1_700_000_000 },
    item: tool('x'),
    allowed: false,
    rule: null,
  },
  {
    name: 'int claim arithmetic',
    rules: ['jwt.level * 2 >= 6'],
    claims: { level: 3 },
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'double claim',
    rules: ['jwt.score > 0.5'],
    claims: { score: 0.75 },
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  // ---- extension functions, request, source ----
  {
    name: 'default() for a missing claim',
    rules: ['default(jwt.tier, "free") == "free"'],
    claims: null,
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'x.with(name, expr)',
    rules: ['jwt.sub.with(s, s == "alice" || s == "bob")'],
    claims: { sub: 'bob' },
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'matches()',
    rules: ['jwt.email.matches("@example\\\\.com$")'],
    claims: { email: 'a@example.com' },
    item: tool('x'),
    allowed: true,
    rule: 0,
  },
  {
    name: 'request header',
    rules: ['request.headers["x-team"] == "core"'],
    claims: null,
    item: tool('x'),
    headers: { 'x-team': 'core' },
    allowed: true,
    rule: 0,
  },
  {
    name: 'missing request header → not matched',
    rules: ['request.headers["x-team"] == "core"'],
    claims: null,
    item: tool('x'),
    allowed: false,
    rule: null,
  },
  {
    name: 'source address',
    rules: [{ deny: '!source.address.startsWith("10.")' }],
    claims: null,
    item: tool('x'),
    address: '192.168.1.4',
    allowed: false,
    rule: 0,
  },
  {
    name: 'not in a list literal',
    rules: ['!(mcp.tool.name in ["rm", "drop"])'],
    claims: null,
    item: tool('ls'),
    allowed: true,
    rule: 0,
  },
];

describe('mcpAuthorization decision table', () => {
  test('has at least 40 rows', () => assert.ok(ROWS.length >= 40, `${ROWS.length} rows`));
  for (const row of ROWS) {
    test(row.name, () => {
      const errors: DenyRuleErrorEvent[] = [];
      const authz = compileMcpAuthorization({ rules: [...row.rules] }, buildContext(), AT, {
        now: () => NOW_MS,
        onDenyRuleError: (e) => errors.push(e),
      });
      const s = subject(row.claims ? identity(row.claims) : null, {
        method: row.method,
        headers: row.headers,
        address: row.address,
      });
      const d = authz.decide(row.item, s);
      assert.equal(d.allowed, row.allowed, d.reason);
      assert.equal(d.rule?.index ?? null, row.rule, d.reason);
      if (d.rule) {
        const cfg = row.rules[d.rule.index] as RuleConfig;
        assert.equal(d.rule.source, typeof cfg === 'string' ? cfg : Object.values(cfg)[0]);
      }
      if (row.reason) assert.match(d.reason, row.reason);
      assert.ok(d.reason.length > 0);
      assert.equal(errors.length, row.denyErrors ?? 0, errors.map((e) => e.error.message).join('; '));
      for (const e of errors) {
        assert.equal(e.rule.effect, 'deny');
        assert.deepEqual(e.item, row.item);
      }
    });
  }
});
