/**
 * CEL authorization benchmark (not a test; numbers vary by machine): `npx tsx bench/cel.bench.ts`.
 * Measures McpAuthorizer.decide() — the whole decision, activation included — for
 *   - the seed's 3 rules (anyone → echo; test-user → add; nested.key == "value" → printEnv), filtering a
 *     10-tool list per request, with no token, example2's claims and example1's claims;
 *   - the same rules for single calls (a fresh subject per decision: activation built every time);
 *   - 50 rules (45 allow, 3 deny, 2 require) over a 50-tool list.
 * Goal: under 5 µs per item for the seed rules.
 */
import { cpus, loadavg } from 'node:os';
import type { ConfigPath } from '../src/config/types.js';
import type { AuthzSubject, McpAuthorizer, McpItem } from '../src/contracts/authorization.js';
import type { BuildContext } from '../src/contracts/build-context.js';
import type { Identity } from '../src/contracts/request-context.js';
import type { RuleConfig } from '../src/config/schema/policies.js';
import { toCelClaims } from '../src/cel/values.js';
import { compileMcpAuthorization } from '../src/policies/authorization/mcp.js';

const ctx: BuildContext = {
  readFile: () => '',
  error: (at: ConfigPath, msg: string) => new Error(`${at.join('.')}: ${msg}`),
  locate: (at: ConfigPath) => at.join('.'),
  warn: () => {},
};

function identity(claims: Record<string, unknown>): Identity {
  return {
    claims,
    celClaims: toCelClaims(claims),
    sub: claims.sub as string,
    issuer: 'agentgateway.dev',
    rawToken: '',
  };
}
const common = {
  aud: 'test.agentgateway.dev',
  exp: 1900650294,
  iat: 1751558060,
  iss: 'agentgateway.dev',
  nbf: 1751558060,
};
const example1 = identity({
  ...common,
  sub: 'test-user',
  field1: 'value1',
  list: ['apple', 'banana'],
  nested: { key: 'value' },
});
const example2 = identity({ ...common, sub: 'test-user' });

function subject(id: Identity | null, method = 'tools/list'): AuthzSubject {
  return {
    identity: id,
    request: {
      method: 'POST',
      path: '/mcp',
      host: 'localhost:3000',
      scheme: 'http',
      headers: { accept: '*/*' },
    },
    source: { address: '127.0.0.1', port: 51234 },
    mcpMethod: method,
  };
}

const SEED_RULES: RuleConfig[] = [
  'mcp.tool.name == "echo"',
  'jwt.sub == "test-user" && mcp.tool.name == "add"',
  'mcp.tool.name == "printEnv" && jwt.nested.key == "value"',
];
const SEED_TOOLS: McpItem[] = [
  'echo',
  'add',
  'printEnv',
  'longRunningOperation',
  'sampleLLM',
  'getTinyImage',
  'annotatedMessage',
  'getResourceReference',
  'startElicitation',
  'structuredContent',
].map((name) => ({ kind: 'tool', name, target: 'mcp2' }));

const FIFTY_RULES: RuleConfig[] = [
  ...Array.from(
    { length: 45 },
    (_, i): RuleConfig =>
      `jwt.sub == "user-${i}" && mcp.tool.name == "tool-${i}" || "admin-${i}" in default(jwt.roles, [])`,
  ),
  { deny: 'mcp.tool.name.startsWith("internal-")' },
  { deny: 'request.headers["x-blocked"] == "1"' },
  { deny: 'source.address == "10.0.0.66"' },
  { require: 'mcp.tool.target != ""' },
  { require: 'request.method == "POST"' },
];
const FIFTY_TOOLS: McpItem[] = Array.from({ length: 50 }, (_, i) => ({
  kind: 'tool',
  name: `tool-${i}`,
  target: 'everything',
}));
const user7 = identity({ ...common, sub: 'user-7', roles: ['reader'] });

interface Result {
  readonly name: string;
  /** Median wall-clock µs per decided item. */
  readonly perItemUs: number;
  /** Median on-CPU µs per item (user + system): steadier than wall time on a shared machine. */
  readonly cpuPerItemUs: number;
  readonly perSecond: number;
}

/** Median over rounds of `round()`, which decides `items` items. */
function measure(name: string, items: number, round: () => void, rounds = 11, minMs = 150): Result {
  for (let i = 0; i < 500; i++) round(); // warm up (JIT)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const c0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    let elapsed = 0n;
    do {
      for (let i = 0; i < 100; i++) round();
      n += 100;
      elapsed = process.hrtime.bigint() - start;
    } while (elapsed < BigInt(minMs) * 1_000_000n);
    const c = process.cpuUsage(c0);
    wall.push(Number(elapsed) / 1000 / (n * items));
    cpu.push((c.user + c.system) / (n * items));
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const perItemUs = median(wall);
  return { name, perItemUs, cpuPerItemUs: median(cpu), perSecond: 1e6 / perItemUs };
}

function listRound(authz: McpAuthorizer, id: Identity | null, tools: McpItem[]): () => void {
  let sink = 0;
  return () => {
    const s = subject(id); // one subject per request, as the MCP layer does
    for (const t of tools) if (authz.decide(t, s).allowed) sink++;
    if (sink < 0) console.log(sink);
  };
}

function callRound(authz: McpAuthorizer, id: Identity | null, tool: McpItem): () => void {
  let sink = 0;
  return () => {
    if (authz.decide(tool, subject(id, 'tools/call')).allowed) sink++;
    if (sink < 0) console.log(sink);
  };
}

const seed = compileMcpAuthorization({ rules: SEED_RULES }, ctx, ['mcpAuthorization']);
const fifty = compileMcpAuthorization({ rules: FIFTY_RULES }, ctx, ['mcpAuthorization']);
const byName = (n: string) => SEED_TOOLS.find((t) => t.name === n) as McpItem;

const results: Result[] = [
  measure('seed 3 rules, tools/list of 10, no token', 10, listRound(seed, null, SEED_TOOLS)),
  measure('seed 3 rules, tools/list of 10, example2', 10, listRound(seed, example2, SEED_TOOLS)),
  measure('seed 3 rules, tools/list of 10, example1', 10, listRound(seed, example1, SEED_TOOLS)),
  measure('seed 3 rules, tools/call add, no token (denied)', 1, callRound(seed, null, byName('add'))),
  measure('seed 3 rules, tools/call printEnv, example1', 1, callRound(seed, example1, byName('printEnv'))),
  measure('50 rules, tools/list of 50, user-7', 50, listRound(fifty, user7, FIFTY_TOOLS), 7),
  measure('50 rules, tools/list of 50, no token', 50, listRound(fifty, null, FIFTY_TOOLS), 7),
];

console.log(
  `node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);
const width = Math.max(...results.map((r) => r.name.length));
for (const r of results) {
  console.log(
    `${r.name.padEnd(width)}  ${r.perItemUs.toFixed(2).padStart(6)} µs/item (cpu ${r.cpuPerItemUs.toFixed(2).padStart(5)})  ` +
      `${Math.round(r.perSecond).toLocaleString('en-US').padStart(10)} decisions/s`,
  );
}
const seedRows = results.filter((r) => r.name.startsWith('seed'));
const worst = Math.max(...seedRows.map((r) => r.perItemUs));
const worstCpu = Math.max(...seedRows.map((r) => r.cpuPerItemUs));
console.log(
  `seed rules, worst case: ${worst.toFixed(2)} µs/item wall, ${worstCpu.toFixed(2)} µs/item cpu ` +
    `(goal < 5 µs: ${worstCpu < 5 ? 'met' : 'NOT met'})`,
);
