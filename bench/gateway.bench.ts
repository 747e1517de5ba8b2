/**
 * Portcullis vs its upstream alone, in the same run (not a test; numbers vary by machine):
 *   npx tsx bench/gateway.bench.ts [--quick] [--duration ms] [--warmup requests] [--rounds n]
 *     [--clients 1,8,32] [--rate req/s] [--only <scenario substring>] [--log-level info|silent]
 *     [--variants] [--cpu-prof <dir>] [--log-file <file>]
 *
 * Three processes on loopback: this one generates load (undici keep-alive pools, raw JSON-RPC, bodies
 * and headers built ahead, one pre-signed ES256 token); the upstream (SDK McpServer, Streamable HTTP,
 * stateful, JSON responses; `echo` plus fillers up to 50 tools); the gateway (the CLI's wiring, the
 * seed's stack: cors + jwtAuth with a local JWKS file + mcpAuthorization's three CEL rules).
 * Each scenario sets up every side (pool, sessions, counted warm-up), then measures them in alternating
 * rounds of a fixed duration, each bounded by a request cap. Reported: requests/s (median of rounds),
 * p50/p90/p99 latency (all rounds), gateway/direct ratios, and CPU time per request of each process —
 * steadier than wall-clock numbers on a shared machine, where those move with the neighbours' load.
 * `--variants` adds two more gateways to split the overhead: one with log level `silent` (no access
 * log), one with no policies at all (a plain MCP proxy).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startService, type Service } from './lib/child.js';
import { gatewayYaml, variants } from './lib/configs.js';
import { makeKey, signToken } from './lib/keys.js';
import {
  closedLoop,
  closeSession,
  createPool,
  openLoop,
  openSession,
  parseRpc,
  rpcBody,
  type Body,
  type Endpoint,
  type LoadResult,
} from './lib/load.js';
import { arg, fmt, fmtInt, machineLine, median, numArg, quantile, summary, table } from './lib/stats.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const DURATION_MS = numArg(argv, '--duration', quick ? 1500 : 3000);
/** Warm-up is a request count (the JIT needs calls, not seconds), capped in time. */
const WARMUP_REQUESTS = numArg(argv, '--warmup', quick ? 200 : 600);
const WARMUP_CAP_MS = 15_000;
/** Measured runs per side; the order of sides rotates each round so slow drift hits all alike. */
const ROUNDS = numArg(argv, '--rounds', quick ? 1 : 3);
const CLIENTS = (arg(argv, '--clients') ?? '1,8,32').split(',').map(Number);
/** Open-loop offered rate; default: half the gateway's best closed-loop tools/call rate in this run. */
const FIXED_RATE = arg(argv, '--rate') === undefined ? undefined : numArg(argv, '--rate', 0);
const ONLY = arg(argv, '--only');
const LOG_LEVEL = arg(argv, '--log-level') ?? 'info';
/** Directory for a V8 CPU profile of the (first) gateway process, written when it stops. */
const CPU_PROF = arg(argv, '--cpu-prof');
/** Keep the gateway's log lines (default /dev/null: written, then discarded). */
const LOG_FILE = arg(argv, '--log-file');
const MAX_REQUESTS = 200_000;
const TOOLS = 50;

const VARIANTS = variants(LOG_LEVEL, argv.includes('--variants'));

interface Scenario {
  readonly name: string;
  readonly loop: 'closed' | 'open';
  /** Closed loop: concurrent clients, one session each. Open loop: sessions the requests share. */
  readonly clients: number;
  readonly body: Body;
  readonly ok: (text: string) => boolean;
}

interface Side {
  readonly label: string;
  readonly endpoint: Endpoint;
  /** The gateway process behind this side (none for direct). */
  readonly gateway: Service | undefined;
  /** Tools a tools/list shows on this side. */
  readonly tools: number;
}

interface Cpu {
  readonly upstream: number;
  readonly gateway: number;
  /** The gateway's kernel share (system time): loopback TCP in and out. */
  readonly gatewaySystem: number;
  /** The gateway's event loop: ms running callbacks, ms waiting for I/O (busy share = saturation). */
  readonly gatewayLoopActive: number;
  readonly gatewayLoopIdle: number;
  readonly client: number;
}

interface Measured {
  /** One result per round. */
  readonly rounds: readonly LoadResult[];
  /** Every successful request's latency over all rounds, ms, ascending. */
  readonly latencies: Float64Array;
  /** CPU µs per successful request over all rounds, by process. */
  readonly cpu: Cpu;
}

const echo = rpcBody('tools/call', { name: 'echo', arguments: { message: 'hello' } });
const list = rpcBody('tools/list', {});
const echoOk = (t: string): boolean => t.includes('Echo: hello');
const listOk = (t: string): boolean => t.includes('"get-env"');

const SCENARIOS: Scenario[] = [
  ...CLIENTS.map((c): Scenario => ({
    name: `tools/call echo, ${c} client${c === 1 ? '' : 's'}`,
    loop: 'closed',
    clients: c,
    body: echo,
    ok: echoOk,
  })),
  {
    name: `tools/list (${TOOLS} tools, seed rules), 8 clients`,
    loop: 'closed',
    clients: 8,
    body: list,
    ok: listOk,
  },
  { name: 'tools/call echo, open loop', loop: 'open', clients: 1, body: echo, ok: echoOk },
];

/** Median requests/s over the rounds. */
const rps = (m: Measured): number => median(m.rounds.map((r) => (r.requests * 1000) / r.elapsedMs));
const pct = (m: Measured, q: number): number => quantile(m.latencies, q);
const errors = (m: Measured): number => m.rounds.reduce((a, r) => a + r.errors, 0);

const ZERO = { user: 0, system: 0, loopActive: 0, loopIdle: 0 };

async function cpuNow(upstream: Service, gateway: Service | undefined): Promise<Cpu> {
  const [u, g] = await Promise.all([upstream.cpu(), gateway?.cpu() ?? ZERO]);
  const c = process.cpuUsage();
  return {
    upstream: u.user + u.system,
    gateway: g.user + g.system,
    gatewaySystem: g.system,
    gatewayLoopActive: g.loopActive,
    gatewayLoopIdle: g.loopIdle,
    client: c.user + c.system,
  };
}

/** One side of a scenario, set up once (pool, sessions, warm-up) and measured round after round. */
interface Prepared {
  measure(): Promise<void>;
  result(): Measured;
  close(): Promise<void>;
}

async function prepare(s: Scenario, rate: number, side: Side, upstream: Service): Promise<Prepared> {
  const { endpoint } = side;
  const pool = createPool(endpoint.origin, s.loop === 'open' ? 64 : s.clients);
  const sessions = await Promise.all(Array.from({ length: s.clients }, () => openSession(pool, endpoint)));
  const closed = (durationMs: number, maxRequests: number): Promise<LoadResult> =>
    closedLoop({ pool, path: endpoint.path, sessions, body: s.body, durationMs, maxRequests, ok: s.ok });
  await closed(WARMUP_CAP_MS, WARMUP_REQUESTS);
  const rounds: LoadResult[] = [];
  const cpu = {
    upstream: 0,
    gateway: 0,
    gatewaySystem: 0,
    gatewayLoopActive: 0,
    gatewayLoopIdle: 0,
    client: 0,
  };
  return {
    async measure() {
      const before = await cpuNow(upstream, side.gateway);
      const r =
        s.loop === 'closed'
          ? await closed(DURATION_MS, MAX_REQUESTS)
          : await openLoop({
              pool,
              path: endpoint.path,
              headers: sessions[0] ?? {},
              body: s.body,
              rate,
              durationMs: DURATION_MS,
              ok: s.ok,
            });
      const after = await cpuNow(upstream, side.gateway);
      for (const k of Object.keys(cpu) as (keyof Cpu)[]) cpu[k] += after[k] - before[k];
      rounds.push(r);
    },
    result() {
      const n = Math.max(
        1,
        rounds.reduce((a, r) => a + r.requests, 0),
      );
      const all = new Float64Array(rounds.reduce((a, r) => a + r.latencies.length, 0));
      let at = 0;
      for (const r of rounds) {
        all.set(r.latencies, at);
        at += r.latencies.length;
      }
      return {
        rounds,
        latencies: all.sort(),
        cpu: {
          upstream: cpu.upstream / n,
          gateway: cpu.gateway / n,
          gatewaySystem: cpu.gatewaySystem / n,
          gatewayLoopActive: cpu.gatewayLoopActive,
          gatewayLoopIdle: cpu.gatewayLoopIdle,
          client: cpu.client / n,
        },
      };
    },
    async close() {
      await Promise.all(sessions.map((h) => closeSession(pool, endpoint, h).catch(() => undefined)));
      await pool.close();
    },
  };
}

/** One tools/list and one tools/call through each side, checked, before anything is timed. */
async function checkWiring(side: Side): Promise<void> {
  const ep = side.endpoint;
  const pool = createPool(ep.origin, 1);
  try {
    const h = await openSession(pool, ep);
    const r = await pool.request({
      path: ep.path,
      method: 'POST',
      headers: h,
      body: list.prefix + 1 + list.suffix,
    });
    const msg = parseRpc(await r.body.text(), r.headers['content-type'] as string | undefined);
    const tools = (msg.result as { tools?: { name: string }[] } | undefined)?.tools ?? [];
    if (tools.length !== side.tools) {
      throw new Error(
        `${side.label}: tools/list gave ${tools.length} tools, expected ${side.tools}: ${JSON.stringify(msg).slice(0, 300)}`,
      );
    }
    const c = await pool.request({
      path: ep.path,
      method: 'POST',
      headers: h,
      body: echo.prefix + 2 + echo.suffix,
    });
    const text = await c.body.text();
    if (!echoOk(text))
      throw new Error(`${side.label}: tools/call echo answered ${c.statusCode} ${text.slice(0, 300)}`);
    await closeSession(pool, ep, h);
  } finally {
    await pool.close();
  }
}

function row(name: string, side: Side, m: Measured): string[] {
  return [
    name,
    side.label,
    fmtInt(rps(m)),
    fmt(pct(m, 0.5)),
    fmt(pct(m, 0.9)),
    fmt(pct(m, 0.99)),
    String(errors(m)),
    fmtInt(m.cpu.upstream),
    side.gateway ? fmtInt(m.cpu.gateway) : '—',
    side.gateway ? `${fmt((100 * m.cpu.gatewaySystem) / m.cpu.gateway, 0)}%` : '—',
    side.gateway
      ? `${fmt((100 * m.cpu.gatewayLoopActive) / (m.cpu.gatewayLoopActive + m.cpu.gatewayLoopIdle), 0)}%`
      : '—',
    fmtInt(m.cpu.client),
  ];
}

async function main(): Promise<void> {
  console.log(machineLine());
  console.log(
    `${ROUNDS} round(s) of ${DURATION_MS} ms per side after ${WARMUP_REQUESTS} warm-up requests; gateway log level ${LOG_LEVEL}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  const services: Service[] = [];
  try {
    const key = await makeKey(dir);
    const token = await signToken(key);
    const upstream = await startService(fileURLToPath(new URL('./lib/upstream-server.ts', import.meta.url)), [
      '--tools',
      String(TOOLS),
    ]);
    services.push(upstream);
    const headers = { authorization: `Bearer ${token}` };
    const up = new URL(upstream.url);
    const sides: Side[] = [
      {
        label: 'direct',
        endpoint: { origin: up.origin, path: up.pathname, headers },
        gateway: undefined,
        tools: TOOLS,
      },
    ];
    for (const [i, v] of VARIANTS.entries()) {
      const configFile = join(dir, `config-${i}.yaml`);
      writeFileSync(configFile, gatewayYaml(upstream.url, key.jwksFile, v.policies));
      const gateway = await startService(
        fileURLToPath(new URL('./lib/gateway-server.ts', import.meta.url)),
        [configFile, '--log-level', v.logLevel, ...(LOG_FILE && i === 0 ? ['--log-file', LOG_FILE] : [])],
        CPU_PROF && i === 0 ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [],
      );
      services.push(gateway);
      // With the seed rules the token sees echo, get-sum and get-env (it matches all three).
      sides.push({
        label: v.label,
        endpoint: { origin: gateway.url, path: '/mcp', headers },
        gateway,
        tools: v.policies ? 3 : TOOLS,
      });
    }
    for (const side of sides) await checkWiring(side);

    const rows = [
      [
        'scenario',
        'path',
        'req/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'err',
        'upstream cpu µs/req',
        'gateway cpu µs/req',
        'gateway kernel share',
        'gateway loop busy',
        'client cpu µs/req',
      ],
    ];
    const ratios = [
      [
        'scenario',
        'path',
        'req/s ÷ direct',
        'p50 ÷ direct',
        'p99 ÷ direct',
        'added p50 ms',
        'gateway cpu µs/req',
      ],
    ];
    let bestGatewayCallRps = 0;
    for (const s of SCENARIOS.filter((x) => ONLY === undefined || x.name.includes(ONLY))) {
      // The open loop offers half of what the gateway sustained closed-loop, so it measures latency
      // below saturation on any machine (or --rate).
      const rate = FIXED_RATE ?? Math.max(5, Math.round(bestGatewayCallRps / 10) * 5 || 50);
      const name = s.loop === 'open' ? `${s.name} ${rate} req/s` : s.name;
      const prepared: Prepared[] = [];
      try {
        for (const side of sides) prepared.push(await prepare(s, rate, side, upstream));
        for (let r = 0; r < ROUNDS; r++) {
          const shift = r % prepared.length;
          for (const p of [...prepared.slice(shift), ...prepared.slice(0, shift)]) await p.measure();
        }
      } finally {
        for (const p of prepared) await p.close();
      }
      const results = prepared.map((p) => p.result());
      const d = results[0] as Measured;
      sides.forEach((side, i) => rows.push(row(name, side, results[i] as Measured)));
      sides.forEach((side, i) => {
        const m = results[i] as Measured;
        const first = m.rounds.find((r) => r.firstError)?.firstError;
        if (first) console.log(`  ${name} ${side.label}: ${errors(m)} errors, first: ${first}`);
        if (!side.gateway) return;
        if (i === 1 && s.loop === 'closed' && s.body === echo)
          bestGatewayCallRps = Math.max(bestGatewayCallRps, rps(m));
        ratios.push([
          name,
          side.label,
          `${fmt(rps(m) / rps(d))}×`,
          `${fmt(pct(m, 0.5) / pct(d, 0.5))}×`,
          `${fmt(pct(m, 0.99) / pct(d, 0.99))}×`,
          fmt(pct(m, 0.5) - pct(d, 0.5)),
          fmtInt(m.cpu.gateway),
        ]);
        summary(
          `${side.label} ${name}: ${fmtInt(rps(d))} → ${fmtInt(rps(m))} req/s (${fmt(rps(m) / rps(d))}×), ` +
            `p50 ${fmt(pct(d, 0.5))} → ${fmt(pct(m, 0.5))} ms, p99 ${fmt(pct(d, 0.99))} → ${fmt(pct(m, 0.99))} ms, ` +
            `gateway CPU ${fmtInt(m.cpu.gateway)} µs/req (upstream ${fmtInt(m.cpu.upstream)})`,
        );
      });
      console.log(`  done: ${name}`);
    }
    console.log('\n' + table(rows));
    console.log('\n' + table(ratios));
    console.log(`\n${machineLine()}`);
  } finally {
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
