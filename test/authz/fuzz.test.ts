/**
 * Fuzz: 1,000 random rule sets × claims × item lists. For every item,
 *  - the list-filtering decision (one subject for the whole list, cached activation),
 *  - the call decision (a fresh subject per call), and
 *  - a reference decision (the algorithm re-implemented here, every rule evaluated on plain maps in a
 *    dyn-typed environment, no caching, no anonymous-caller shortcut)
 * must agree on allowed/denied and on the deciding rule. Seeded: FUZZ_SEED=<n> replays a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleConfig } from '../../src/config/schema/policies.js';
import type { McpItem } from '../../src/contracts/authorization.js';
import { createBaseEnvironment, toCelClaims } from '../../src/cel/index.js';
import { compileMcpAuthorization } from '../../src/policies/authorization/mcp.js';
import { ruleOf } from '../../src/policies/authorization/rules.js';
import { AT, buildContext, identity, subject } from './helpers.js';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOOLS = ['echo', 'add', 'printEnv', 'read_file', 'read_dir', 'write_file', 'rm'];
const TARGETS = ['mcp2', 'github', 'fs'];
const SUBS = ['test-user', 'alice', 'bob'];
const ROLES = ['admin', 'dev', 'reader'];

function generator(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const atoms: (() => string)[] = [
    () => `mcp.tool.name == "${pick(TOOLS)}"`,
    () => `mcp.tool.name.startsWith("${pick(['read_', 'w', 'e'])}")`,
    () => `mcp.tool.target == "${pick(TARGETS)}"`,
    () => `mcp.prompt.name == "${pick(TOOLS)}"`,
    () => `has(mcp.prompt)`,
    () => `jwt.sub == "${pick(SUBS)}"`,
    () => `"${pick(ROLES)}" in jwt.roles`,
    () => `jwt.roles.exists(r, r == "${pick(ROLES)}")`,
    () => `jwt.nested.key == "value"`,
    () => `has(jwt.nested)`,
    () => `jwt.level > ${Math.floor(rand() * 5)}`,
    () => `default(jwt.tier, "free") == "${pick(['free', 'pro'])}"`,
    () => `jwt == null`,
    () => `jwt.sub.startsWith("a")`,
    () => pick(['true', 'false']),
  ];
  const expr = (depth: number): string => {
    const r = rand();
    if (depth >= 2 || r < 0.45) return pick(atoms)();
    if (r < 0.7) return `(${expr(depth + 1)} && ${expr(depth + 1)})`;
    if (r < 0.92) return `(${expr(depth + 1)} || ${expr(depth + 1)})`;
    return `!(${expr(depth + 1)})`;
  };
  const rule = (): RuleConfig => {
    const r = rand();
    const e = expr(0);
    return r < 0.6 ? e : r < 0.85 ? { deny: e } : { require: e };
  };
  const claims = (): Record<string, unknown> | null => {
    if (rand() < 0.3) return null;
    const c: Record<string, unknown> = {};
    if (rand() < 0.8) c.sub = pick(SUBS);
    if (rand() < 0.6) c.roles = ROLES.filter(() => rand() < 0.4);
    if (rand() < 0.5) c.nested = rand() < 0.7 ? { key: 'value' } : { key: 'other' };
    if (rand() < 0.5) c.level = rand() < 0.8 ? Math.floor(rand() * 6) : 2.5;
    if (rand() < 0.3) c.tier = pick(['free', 'pro']);
    return c;
  };
  const items = (): McpItem[] =>
    Array.from({ length: 1 + Math.floor(rand() * 7) }, () => ({
      kind: rand() < 0.8 ? ('tool' as const) : ('prompt' as const),
      name: pick(TOOLS),
      target: pick(TARGETS),
    }));
  return { rules: () => Array.from({ length: Math.floor(rand() * 6) }, rule), claims, items };
}

/** The reference: the algorithm as specified, over plain maps, evaluating every rule. */
function referenceDecision(
  rules: readonly RuleConfig[],
  claims: Record<string, unknown> | null,
  it: McpItem,
  evaluate: (source: string, activation: Record<string, unknown>) => boolean,
): { allowed: boolean; rule: number | null } {
  if (rules.length === 0) return { allowed: true, rule: null };
  const activation = {
    jwt: claims === null ? null : toCelClaims(claims),
    mcp: { [it.kind]: { name: it.name, target: it.target }, method: 'tools/call' },
  };
  const parsed = rules.map((r, index) => ({ index, ...ruleOf(r) }));
  const holds = (source: string) => evaluate(source, activation);
  for (const r of parsed)
    if (r.effect === 'deny' && holds(r.source)) return { allowed: false, rule: r.index };
  for (const r of parsed)
    if (r.effect === 'require' && !holds(r.source)) return { allowed: false, rule: r.index };
  for (const r of parsed)
    if (r.effect === 'allow' && holds(r.source)) return { allowed: true, rule: r.index };
  if (!parsed.some((r) => r.effect === 'allow')) return { allowed: true, rule: null };
  return { allowed: false, rule: null };
}

test('fuzz: list filtering, call decisions and the reference agree (1,000 cases)', () => {
  const seed = Number(process.env.FUZZ_SEED ?? 20260101);
  const rand = prng(seed);
  const gen = generator(rand);
  const ref = createBaseEnvironment().registerVariable('jwt', 'dyn').registerVariable('mcp', 'dyn');
  const cache = new Map<string, (a: Record<string, unknown>) => unknown>();
  const evaluate = (source: string, activation: Record<string, unknown>): boolean => {
    let fn = cache.get(source);
    if (!fn) cache.set(source, (fn = ref.parse(source)));
    try {
      return fn(activation) === true;
    } catch {
      return false;
    }
  };
  let decisions = 0;
  let allowed = 0;
  for (let n = 0; n < 1000; n++) {
    const rules = gen.rules();
    const claims = gen.claims();
    const items = gen.items();
    const authz = compileMcpAuthorization({ rules }, buildContext(), AT);
    const id = claims === null ? null : identity(claims);
    const listSubject = subject(id, { method: 'tools/list' });
    const listed = items.map((it) => authz.decide(it, listSubject));
    items.forEach((it, i) => {
      const call = authz.decide(it, subject(id, { method: 'tools/call' }));
      const want = referenceDecision(rules, claims, it, evaluate);
      const ctx = `seed ${seed} case ${n}: rules=${JSON.stringify(rules)} claims=${JSON.stringify(claims)} item=${JSON.stringify(it)}`;
      const fromList = listed[i];
      assert.equal(fromList?.allowed, call.allowed, `list vs call: ${ctx}`);
      assert.equal(fromList?.rule?.index, call.rule?.index, `list vs call rule: ${ctx}`);
      assert.equal(call.allowed, want.allowed, `vs reference: ${ctx} (${call.reason})`);
      assert.equal(call.rule?.index ?? null, want.rule, `vs reference rule: ${ctx}`);
      decisions++;
      if (call.allowed) allowed++;
    });
  }
  // The generator must exercise both outcomes substantially.
  assert.ok(allowed > decisions * 0.15 && allowed < decisions * 0.85, `${allowed}/${decisions} allowed`);
});
