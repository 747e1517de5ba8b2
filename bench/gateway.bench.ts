/**
 * Portcullis vs its upstream alone, in the same run (not a test; numbers vary by machine):
 *   npx tsx bench/gateway.bench.ts [--quick] [--duration ms] [--warmup requests] [--rounds n]
 *     [--clients 1,8,32] [--open-load 0.25,0.5] [--rate req/s,…] [--payload-kb 32]
 *     [--only <scenario substring>] [--no-floor] [--floor-burn µs] [--no-pauses] [--variants]
 *     [--log-level info|silent] [--cpu-prof <dir>] [--log-file <file>]
 *
 * Three processes on loopback: this one generates load (undici keep-alive pools, raw JSON-RPC, bodies
 * and headers built ahead, one pre-signed ES256 token); the upstream (SDK McpServer, Streamable HTTP,
 * stateful, JSON responses; `echo` plus fillers up to 50 tools); the gateway (the CLI's wiring, the
 * seed's stack: cors + jwtAuth with a local JWKS file + mcpAuthorization's three CEL rules).
 * Sides: `direct` (the upstream alone); `floor`, a minimal node:http → undici proxy in its own process
 * (the same three-process topology as the gateway with the least work a hop can do — what the machine
 * itself adds to latency; `--no-floor` drops it); `gateway`.
 * Each scenario sets up every side (pool, sessions, counted warm-up), then measures them in alternating
 * rounds of a fixed duration, each bounded by a request cap. Reported: requests/s (median of rounds),
 * p50/p90/p99 latency (all rounds), ratios to direct and to the floor, CPU time per request of each
 * process — steadier than wall-clock numbers on a shared machine, where those move with the neighbours'
 * load — and what stalled each process during the rounds: GC pauses and event-loop delay.
 * `--variants` adds two more gateways to split the overhead: one with log level `silent` (no access
 * log), one with no policies at all (a plain MCP proxy).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
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
import { PauseMonitor, pausesEnabled, type PauseSummary } from './lib/pauses.js';
import {
  arg,
  fmt,
  fmtInt,
  machineCpuUs,
  machineLine,
  median,
  numArg,
  quantile,
  summary,
  table,
} from './lib/stats.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const DURATION_MS = numArg(argv, '--duration', quick ? 1500 : 3000);
/** Warm-up is a request count (the JIT needs calls, not seconds), capped in time. */
const WARMUP_REQUESTS = numArg(argv, '--warmup', quick ? 200 : 600);
const WARMUP_CAP_MS = 15_000;
/** Measured runs per side; the order of sides rotates each round so slow drift hits all alike. */
const ROUNDS = numArg(argv, '--rounds', quick ? 1 : 3);
const CLIENTS = (arg(argv, '--clients') ?? '1,8,32').split(',').map(Number);
/** Open-loop offered rates, as fractions of the gateway's best closed-loop tools/call rate in this run. */
const OPEN_LOADS = (arg(argv, '--open-load') ?? '0.25,0.5').split(',').map(Number);
/** Or fixed open-loop rates, req/s (instead of --open-load). */
const FIXED_RATES = arg(argv, '--rate')?.split(',').map(Number);
const ONLY = arg(argv, '--only');
const LOG_LEVEL = arg(argv, '--log-level') ?? 'info';
/** Directory for a V8 CPU profile of the (first) gateway process, written when it stops. */
const CPU_PROF = arg(argv, '--cpu-prof');
/** Keep the gateway's log lines (default /dev/null: written, then discarded). */
const LOG_FILE = arg(argv, '--log-file');
/** Size of the large tools/call's argument (and so of its result: echo returns it), KiB. */
const PAYLOAD_KB = numArg(argv, '--payload-kb', 32);
/** The minimal-proxy side (same process topology as the gateway, least work per hop). */
const FLOOR = !argv.includes('--no-floor');
/** A second floor that spins this many µs of CPU per request (the gateway's CPU cost, no garbage). */
const FLOOR_BURN_US = numArg(argv, '--floor-burn', 0);
// GC and event-loop-delay monitors in every process (a 1 ms timer each); children inherit the switch.
if (argv.includes('--no-pauses')) process.env.BENCH_PAUSES = '0';
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
  /** Open loop: offered rate in req/s, or as a fraction of the gateway's best closed-loop rate. */
  readonly rate?: { readonly fixed: number } | { readonly load: number };
}

interface Side {
  readonly label: string;
  readonly kind: 'direct' | 'floor' | 'gateway';
  readonly endpoint: Endpoint;
  /** The process between client and upstream: a gateway or the minimal proxy (none for direct). */
  readonly proxy: Service | undefined;
  /** Tools a tools/list shows on this side. */
  readonly tools: number;
}

interface Cpu {
  readonly upstream: number;
  readonly proxy: number;
  /** The proxy's kernel share (system time): loopback TCP in and out. */
  readonly proxySystem: number;
  /** The proxy's event loop: ms running callbacks, ms waiting for I/O (busy share = saturation). */
  readonly proxyLoopActive: number;
  readonly proxyLoopIdle: number;
  readonly client: number;
  /** The whole machine's busy CPU (all processes, all cores), its steal time, and wall time: µs in all. */
  readonly machine: number;
  readonly steal: number;
  readonly wall: number;
}

/** GC pauses and event-loop delay in each process over a side's measured rounds. */
interface Pauses {
  readonly client: PauseSummary;
  readonly upstream: PauseSummary;
  readonly proxy: PauseSummary | undefined;
}

interface Measured {
  /** One result per round. */
  readonly rounds: readonly LoadResult[];
  /** Every successful request's latency over all rounds, ms, ascending. */
  readonly latencies: Float64Array;
  /** CPU µs per successful request over all rounds, by process. */
  readonly cpu: Cpu;
  /** CPU the rest of the machine used meanwhile (other processes, steal), in cores. */
  readonly otherCores: number;
  readonly pauses: Pauses;
}

const echo = rpcBody('tools/call', { name: 'echo', arguments: { message: 'hello' } });
const list = rpcBody('tools/list', {});
const echoOk = (t: string): boolean => t.includes('Echo: hello');
const listOk = (t: string): boolean => t.includes('"get-env"');

/** Text lines (with quotes to escape, like a file's content) up to `kb` KiB. */
function payload(kb: number): string {
  let text = '';
  for (let i = 1; text.length < kb * 1024; i++)
    text += `line ${String(i).padStart(5, '0')}: the quick brown fox "jumps" over the lazy dog; 0123456789\n`;
  return text.slice(0, kb * 1024);
}
const bigMessage = payload(PAYLOAD_KB);
const big = rpcBody('tools/call', { name: 'echo', arguments: { message: bigMessage } });
/** The result carries the whole argument back (JSON-escaped, so at least as long). */
const bigOk = (t: string): boolean => t.length > bigMessage.length && t.includes('Echo: line 00001: ');

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
  {
    name: `tools/call echo ${PAYLOAD_KB} KB, 8 clients`,
    loop: 'closed',
    clients: 8,
    body: big,
    ok: bigOk,
  },
  ...(FIXED_RATES?.map((r) => ({ fixed: r })) ?? OPEN_LOADS.map((l) => ({ load: l }))).map(
    (rate): Scenario => ({
      name:
        'fixed' in rate
          ? `tools/call echo, open loop ${rate.fixed} req/s`
          : `tools/call echo, open loop at ${fmt(100 * rate.load, 0)} %`,
      loop: 'open',
      clients: 1,
      body: echo,
      ok: echoOk,
      rate,
    }),
  ),
];

/** Median requests/s over the rounds. */
const rps = (m: Measured): number => median(m.rounds.map((r) => (r.requests * 1000) / r.elapsedMs));
const pct = (m: Measured, q: number): number => quantile(m.latencies, q);
/**
 * Median over the rounds of each round's p99: one stall (a neighbour's burst, a long GC) moves one
 * round's p99, not this — the typical tail, where the p99 of all rounds is the worst few episodes.
 */
const roundP99 = (m: Measured): number => median(m.rounds.map((r) => quantile(r.latencies, 0.99)));
const errors = (m: Measured): number => m.rounds.reduce((a, r) => a + r.errors, 0);

const ZERO = { user: 0, system: 0, loopActive: 0, loopIdle: 0 };

/** This process's own pauses (the load generator's stalls delay every side's requests alike). */
const clientPauses = new PauseMonitor();

/** CPU so far of every process; opens or closes the measured window `key` in each. */
async function cpuNow(
  upstream: Service,
  proxy: Service | undefined,
  key: string,
  phase: 'begin' | 'end',
): Promise<Cpu> {
  if (phase === 'end') clientPauses.end(key);
  const window = { key, phase };
  const [u, g] = await Promise.all([upstream.cpu(window), proxy?.cpu(window) ?? ZERO]);
  const c = process.cpuUsage();
  const machine = machineCpuUs();
  if (phase === 'begin') clientPauses.begin(key);
  return {
    upstream: u.user + u.system,
    proxy: g.user + g.system,
    proxySystem: g.system,
    proxyLoopActive: g.loopActive,
    proxyLoopIdle: g.loopIdle,
    client: c.user + c.system,
    machine: machine.busy,
    steal: machine.steal,
    wall: performance.now() * 1000,
  };
}

/** One side of a scenario, set up once (pool, sessions, warm-up) and measured round after round. */
interface Prepared {
  measure(): Promise<void>;
  result(): Promise<Measured>;
  close(): Promise<void>;
}

async function prepare(s: Scenario, rate: number, side: Side, upstream: Service): Promise<Prepared> {
  const { endpoint } = side;
  const key = `${s.name} | ${side.label}`;
  const pool = createPool(endpoint.origin, s.loop === 'open' ? 64 : s.clients);
  const sessions = await Promise.all(Array.from({ length: s.clients }, () => openSession(pool, endpoint)));
  const closed = (durationMs: number, maxRequests: number): Promise<LoadResult> =>
    closedLoop({ pool, path: endpoint.path, sessions, body: s.body, durationMs, maxRequests, ok: s.ok });
  await closed(WARMUP_CAP_MS, WARMUP_REQUESTS);
  const rounds: LoadResult[] = [];
  const cpu = {
    upstream: 0,
    proxy: 0,
    proxySystem: 0,
    proxyLoopActive: 0,
    proxyLoopIdle: 0,
    client: 0,
    machine: 0,
    steal: 0,
    wall: 0,
  };
  return {
    async measure() {
      const before = await cpuNow(upstream, side.proxy, key, 'begin');
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
      const after = await cpuNow(upstream, side.proxy, key, 'end');
      for (const k of Object.keys(cpu) as (keyof Cpu)[]) cpu[k] += after[k] - before[k];
      rounds.push(r);
    },
    async result() {
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
          proxy: cpu.proxy / n,
          proxySystem: cpu.proxySystem / n,
          proxyLoopActive: cpu.proxyLoopActive,
          proxyLoopIdle: cpu.proxyLoopIdle,
          client: cpu.client / n,
          machine: cpu.machine,
          steal: cpu.steal,
          wall: cpu.wall,
        },
        otherCores: (cpu.machine - cpu.upstream - cpu.proxy - cpu.client) / cpu.wall,
        pauses: {
          client: clientPauses.summary(key),
          upstream: await upstream.pauses(key),
          proxy: await side.proxy?.pauses(key),
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
  const p = side.proxy !== undefined;
  return [
    name,
    side.label,
    fmtInt(rps(m)),
    fmt(pct(m, 0.5)),
    fmt(pct(m, 0.9)),
    fmt(pct(m, 0.99)),
    fmt(roundP99(m)),
    String(errors(m)),
    fmtInt(m.cpu.upstream),
    p ? fmtInt(m.cpu.proxy) : '—',
    p ? `${fmt((100 * m.cpu.proxySystem) / m.cpu.proxy, 0)}%` : '—',
    p ? `${fmt((100 * m.cpu.proxyLoopActive) / (m.cpu.proxyLoopActive + m.cpu.proxyLoopIdle), 0)}%` : '—',
    fmtInt(m.cpu.client),
    fmt(m.otherCores),
    fmtInt(m.cpu.steal / 1000),
  ];
}

/** GC count, longest GC pause, event-loop delay p99 and max of one process (ms). */
function pauseCells(p: PauseSummary | undefined): string[] {
  if (!p || Number.isNaN(p.gcCount)) return ['—', '—', '—', '—'];
  return [String(p.gcCount), fmt(p.gcMaxMs, 1), fmt(p.loopP99Ms, 1), fmt(p.loopMaxMs, 1)];
}

function pauseRow(name: string, side: Side, m: Measured): string[] {
  const { client, upstream, proxy } = m.pauses;
  return [
    name,
    side.label,
    ...pauseCells(client),
    ...pauseCells(upstream),
    ...pauseCells(proxy),
    proxy && !Number.isNaN(proxy.gcCount) ? `${fmt((100 * proxy.gcTotalMs) / proxy.windowMs, 1)}%` : '—',
  ];
}

/**
 * Open loop: of the time the slowest 1 % of requests (latency ≥ the side's p99) spent in flight, the
 * share during which a process was in a GC pause — next to that process's GC share of all the time
 * (the chance rate). When GC makes the tail, the first is far above the second.
 */
function gcShareOfSlow(m: Measured, p: PauseSummary | undefined): number {
  if (!p || Number.isNaN(p.gcCount)) return NaN;
  const p99 = pct(m, 0.99);
  let inFlight = 0;
  let inGc = 0;
  for (const r of m.rounds) {
    if (!r.log) continue;
    const { sentAt, latency } = r.log;
    for (let i = 0; i < sentAt.length; i++) {
      const ms = latency[i] as number;
      if (ms < p99) continue;
      const start = sentAt[i] as number;
      const end = start + ms;
      inFlight += ms;
      for (const [at, pause] of p.gcPauses)
        inGc += Math.max(0, Math.min(end, at + pause) - Math.max(start, at));
    }
  }
  return inGc / inFlight;
}

function overlapRow(name: string, side: Side, m: Measured): string[] {
  const cells = (p: PauseSummary | undefined): string[] =>
    p
      ? [`${fmt(100 * gcShareOfSlow(m, p), 1)}%`, `${fmt((100 * p.gcTotalMs) / p.windowMs, 1)}%`]
      : ['—', '—'];
  return [
    name,
    side.label,
    fmt(pct(m, 0.99)),
    ...cells(m.pauses.client),
    ...cells(m.pauses.upstream),
    ...cells(m.pauses.proxy),
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
        kind: 'direct',
        endpoint: { origin: up.origin, path: up.pathname, headers },
        proxy: undefined,
        tools: TOOLS,
      },
    ];
    for (const burn of [...(FLOOR ? [0] : []), ...(FLOOR_BURN_US > 0 ? [FLOOR_BURN_US] : [])]) {
      const floor = await startService(fileURLToPath(new URL('./lib/minimal-proxy.ts', import.meta.url)), [
        upstream.url,
        '--burn',
        String(burn),
      ]);
      services.push(floor);
      sides.push({
        label: burn ? `floor+${burn}µs` : 'floor',
        kind: 'floor',
        endpoint: { origin: floor.url, path: '/mcp', headers },
        proxy: floor,
        tools: TOOLS,
      });
    }
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
        kind: 'gateway',
        endpoint: { origin: gateway.url, path: '/mcp', headers },
        proxy: gateway,
        tools: v.policies ? 3 : TOOLS,
      });
    }
    for (const side of sides) await checkWiring(side);
    const firstGateway = sides.find((x) => x.kind === 'gateway');

    const rows = [
      [
        'scenario',
        'path',
        'req/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'round p99 ms',
        'err',
        'upstream cpu µs/req',
        'proxy cpu µs/req',
        'proxy kernel share',
        'proxy loop busy',
        'client cpu µs/req',
        'others cores',
        'steal ms',
      ],
    ];
    const ratios = [
      [
        'scenario',
        'path',
        'req/s ÷ direct',
        'p50 ÷ direct',
        'p99 ÷ direct',
        'round p99 ÷ direct',
        'added p50 ms',
        'added p99 ms',
        'req/s ÷ floor',
        'p99 ÷ floor',
        'proxy cpu µs/req',
      ],
    ];
    const pauses = [
      [
        'scenario',
        'path',
        'client gc',
        'gc max',
        'loop p99',
        'loop max',
        'upstream gc',
        'gc max',
        'loop p99',
        'loop max',
        'proxy gc',
        'gc max',
        'loop p99',
        'loop max',
        'proxy in gc',
      ],
    ];
    const overlaps = [
      [
        'scenario',
        'path',
        'p99 ms',
        'client gc: slowest 1%',
        'all',
        'upstream gc: slowest 1%',
        'all',
        'proxy gc: slowest 1%',
        'all',
      ],
    ];
    let bestGatewayCallRps = 0;
    for (const s of SCENARIOS.filter((x) => ONLY === undefined || x.name.includes(ONLY))) {
      // The open loop offers a share of what the gateway sustained closed-loop, so it measures latency
      // below saturation on any machine (or --rate).
      const rate =
        s.rate === undefined
          ? 0
          : 'fixed' in s.rate
            ? s.rate.fixed
            : bestGatewayCallRps > 0
              ? Math.max(5, Math.round((bestGatewayCallRps * s.rate.load) / 5) * 5)
              : 50;
      const name = s.rate !== undefined && 'load' in s.rate ? `${s.name}, ${rate} req/s` : s.name;
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
      const results: Measured[] = [];
      for (const p of prepared) results.push(await p.result());
      const d = results[0] as Measured;
      const floorIndex = sides.findIndex((x) => x.kind === 'floor');
      const f = floorIndex === -1 ? undefined : results[floorIndex];
      sides.forEach((side, i) => rows.push(row(name, side, results[i] as Measured)));
      sides.forEach((side, i) => pauses.push(pauseRow(name, side, results[i] as Measured)));
      if (s.loop === 'open')
        sides.forEach((side, i) => overlaps.push(overlapRow(name, side, results[i] as Measured)));
      sides.forEach((side, i) => {
        const m = results[i] as Measured;
        const first = m.rounds.find((r) => r.firstError)?.firstError;
        if (first) console.log(`  ${name} ${side.label}: ${errors(m)} errors, first: ${first}`);
        if (!side.proxy) return;
        if (side === firstGateway && s.loop === 'closed' && s.body === echo)
          bestGatewayCallRps = Math.max(bestGatewayCallRps, rps(m));
        const vsFloor = side.kind === 'gateway' && f !== undefined;
        ratios.push([
          name,
          side.label,
          `${fmt(rps(m) / rps(d))}×`,
          `${fmt(pct(m, 0.5) / pct(d, 0.5))}×`,
          `${fmt(pct(m, 0.99) / pct(d, 0.99))}×`,
          `${fmt(roundP99(m) / roundP99(d))}×`,
          fmt(pct(m, 0.5) - pct(d, 0.5)),
          fmt(pct(m, 0.99) - pct(d, 0.99)),
          vsFloor ? `${fmt(rps(m) / rps(f))}×` : '—',
          vsFloor ? `${fmt(pct(m, 0.99) / pct(f, 0.99))}×` : '—',
          fmtInt(m.cpu.proxy),
        ]);
        const px = m.pauses.proxy;
        summary(
          `${side.label} ${name}: ${fmtInt(rps(d))} → ${fmtInt(rps(m))} req/s (${fmt(rps(m) / rps(d))}×), ` +
            `p50 ${fmt(pct(d, 0.5))} → ${fmt(pct(m, 0.5))} ms, p99 ${fmt(pct(d, 0.99))} → ${fmt(pct(m, 0.99))} ms, ` +
            `${side.kind === 'floor' ? 'proxy' : 'gateway'} CPU ${fmtInt(m.cpu.proxy)} µs/req (upstream ${fmtInt(m.cpu.upstream)})` +
            (px && !Number.isNaN(px.gcCount)
              ? `, GC max ${fmt(px.gcMaxMs, 1)} ms, loop delay p99 ${fmt(px.loopP99Ms, 1)} ms`
              : ''),
        );
      });
      console.log(`  done: ${name}`);
    }
    console.log('\n' + table(rows));
    console.log('\n' + table(ratios));
    if (pausesEnabled()) {
      console.log(
        '\nPauses during the measured rounds, ms. client = this load generator, proxy = the process between' +
          '\n(gateway or floor); gc = GC pauses begun in the rounds (count, longest); loop = event-loop delay' +
          '\nbeyond 1 ms sampling (blocked by work or GC, or the process not scheduled); proxy in gc = share of time.\n',
      );
      console.log(table(pauses));
      if (overlaps.length > 1) {
        console.log(
          '\nOpen loop: of the time the slowest 1 % of requests (latency ≥ p99) spent in flight, the share' +
            '\neach process spent in GC pauses, next to its GC share of all the measured time (the chance rate).\n',
        );
        console.log(table(overlaps));
      }
    }
    console.log(`\n${machineLine()}`);
  } finally {
    clientPauses.close();
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
