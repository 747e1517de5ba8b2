/**
 * The MCP hot path against the floors a fast proxy is held to, in the same run (not a test):
 *   npx tsx bench/hotpath.bench.ts [--quick] [--rounds 5] [--duration ms] [--only <scenario word>]
 *     [--rate req/s] [--sessions 10000] [--reloads 20] [--cpu-prof <dir>] [--variants]
 *     [--heap-snapshot <dir>] [--mux-clients 4]   (with `sessions`: then npx tsx bench/lib/heap-top.ts after… before…)
 *     [--baseline <dir>[,<dir>…]]   (saturation and stdio also through the gateway of other checkouts, e.g.
 *                           `git archive <commit> | tar -x -C <dir>` plus a node_modules link: an A/B in one run)
 *
 * The upstream is `lib/fast-upstream.ts` (a raw node:http JSON-RPC responder that answers almost for
 * free), so what stands in front of it is what is measured. Sides, each its own process: `direct` (the
 * upstream alone), `bare` (`lib/bare-proxy.ts`, node:http → http.request piping bytes), the gateway
 * (`lib/gateway-server.ts`), and for stdio `mcp-proxy` and `supergateway` (devDependencies, same stdio
 * server). Scenarios (`--only` picks by a word of the name):
 *   saturation   tools/call, 32 clients, seed policies (jwtAuth + 3 CEL rules) vs bare vs direct
 *   open         tools/call open loop at half the gateway's saturated rate: p50/p99 added over bare
 *   stdio        tools/call, 8 clients, stdio upstream: gateway vs mcp-proxy vs supergateway
 *   list         tools/list of 200 tools under 10 rules, 8 clients, vs the upstream alone
 *   multiplex    tools/list over 3 targets (answering after 0, 1 and 2 ms) vs the slowest target alone
 *   sessions     RSS of the gateway holding `--sessions` idle sessions on an HTTP upstream
 *   reload       time to swap a 100-route config, and failed requests under load meanwhile
 * Every figure: the median of `--rounds` (≥ 5) rounds, sides interleaved (the order rotates each round),
 * with [min–max]. CPU µs/request per process from /proc (the proxy side counts its whole process tree:
 * a stdio proxy's server children too). Ratios printed against the same run's baselines, beside the
 * goals in docs/performance.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startService, type Service } from './lib/child.js';
import { gatewayYaml } from './lib/configs.js';
import {
  manyRoutesYaml,
  manySessionsYaml,
  multiplexYaml,
  rulesYaml,
  stdioYaml,
  TEN_RULES,
} from './lib/hotpath-configs.js';
import { makeKey, signToken } from './lib/keys.js';
import {
  closedLoop,
  closeSession,
  createPool,
  openLoop,
  openSession,
  rpcBody,
  type Body,
  type Endpoint,
  type LoadResult,
} from './lib/load.js';
import { treeCpuUs } from './lib/proc.js';
import { arg, fmt, fmtInt, machineLine, median, numArg, quantile, summary, table } from './lib/stats.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const ROUNDS = Math.max(1, numArg(argv, '--rounds', quick ? 3 : 5));
const DURATION_MS = numArg(argv, '--duration', quick ? 1000 : 2000);
const WARMUP = numArg(argv, '--warmup', quick ? 300 : 1000);
const ONLY = arg(argv, '--only');
const FIXED_RATE = arg(argv, '--rate');
const SESSIONS = numArg(argv, '--sessions', 10_000);
const RELOADS = numArg(argv, '--reloads', quick ? 10 : 20);
const CPU_PROF = arg(argv, '--cpu-prof');
/**
 * Saturation also through a gateway with log level silent (no access log), one with no policies, and
 * lib/minimal-proxy.ts (undici out, bodies buffered: what the gateway's upstream client costs alone).
 */
const VARIANTS = argv.includes('--variants');
/** Write heap snapshots of the gateway before and after opening the idle sessions into this dir. */
const HEAP_SNAPSHOT = arg(argv, '--heap-snapshot');
/** Clients of the multiplexed scenario (1: latency without queueing in the gateway). */
const MUX_CLIENTS = numArg(argv, '--mux-clients', 4);
/** Other checkouts whose gateways run as extra sides of saturation and stdio (before/after in one run). */
const BASELINES = (arg(argv, '--baseline') ?? '').split(',').filter((d) => d !== '');
const MAX_REQUESTS = 400_000;
const lib = (f: string): string => fileURLToPath(new URL(`./lib/${f}`, import.meta.url));
const require = createRequire(import.meta.url);
/** The CLI script of a stdio peer (devDependencies), from its package.json `bin`. */
function peerBin(pkgJson: string): string {
  const pkg = require(pkgJson) as { bin: Record<string, string> | string };
  const rel = typeof pkg.bin === 'string' ? pkg.bin : (Object.values(pkg.bin)[0] as string);
  return join(dirname(pkgJson), rel);
}
const MCP_PROXY = peerBin(require.resolve('mcp-proxy/package.json'));
const SUPERGATEWAY = peerBin(require.resolve('supergateway/package.json'));
const want = (name: string): boolean => !ONLY || ONLY.split(',').some((w) => name.includes(w));

const echo = rpcBody('tools/call', { name: 'echo', arguments: { message: 'hello' } });
const echoOk = (t: string): boolean => t.includes('Echo: hello');
const list = rpcBody('tools/list', {});

interface Side {
  readonly label: string;
  readonly endpoint: Endpoint;
  /** The process (tree) between client and upstream; 0 for direct. */
  readonly proxyPid: number;
  readonly upstreamPid: number;
}

interface Round {
  readonly load: LoadResult;
  readonly rps: number;
  readonly proxyCpu: number;
  readonly upstreamCpu: number;
  readonly clientCpu: number;
}

type Results = Map<string, Round[]>;

/** Median [min–max] of `values`. */
function spread(values: readonly number[], digits = 0): string {
  if (!values.every(Number.isFinite)) return '—';
  const f = (n: number): string => (digits === 0 ? fmtInt(n) : fmt(n, digits));
  return `${f(median(values))} [${f(Math.min(...values))}–${f(Math.max(...values))}]`;
}
const med = (rs: readonly Round[], f: (r: Round) => number): number => median(rs.map(f));
const p = (r: Round, q: number): number => quantile(r.load.latencies, q);

/**
 * Set up every side (pool, one session per client, warm-up), then `ROUNDS` rounds with the sides'
 * order rotating; closed loop with `clients`, or open loop at `rate` req/s over `clients` sessions.
 */
async function compare(
  sides: readonly Side[],
  o: { clients: number; body: Body; ok: (t: string) => boolean; rate?: number },
): Promise<Results> {
  const prepared = await Promise.all(
    sides.map(async (side) => {
      const pool = createPool(side.endpoint.origin, o.rate ? 64 : o.clients);
      const sessions = await Promise.all(
        Array.from({ length: o.clients }, () => openSession(pool, side.endpoint)),
      );
      return { side, pool, sessions };
    }),
  );
  const run = (x: (typeof prepared)[number], durationMs: number, max: number): Promise<LoadResult> =>
    o.rate
      ? openLoop({
          pool: x.pool,
          path: x.side.endpoint.path,
          headers: x.sessions[0] ?? {},
          body: o.body,
          rate: o.rate,
          durationMs,
          ok: o.ok,
        })
      : closedLoop({
          pool: x.pool,
          path: x.side.endpoint.path,
          sessions: x.sessions,
          body: o.body,
          durationMs,
          maxRequests: max,
          ok: o.ok,
        });
  try {
    for (const x of prepared) await run(x, o.rate ? 1000 : 15_000, WARMUP);
    const out: Results = new Map(sides.map((s) => [s.label, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < prepared.length; k++) {
        const x = prepared[(k + round) % prepared.length] as (typeof prepared)[number];
        const cpu = (): [number, number, number] => {
          const c = process.cpuUsage();
          return [
            x.side.proxyPid ? treeCpuUs(x.side.proxyPid) : NaN,
            x.side.upstreamPid ? treeCpuUs(x.side.upstreamPid) : NaN,
            c.user + c.system,
          ];
        };
        const before = cpu();
        const load = await run(x, DURATION_MS, MAX_REQUESTS);
        const after = cpu();
        const n = Math.max(1, load.requests);
        if (load.errors > 0)
          console.log(`  ${x.side.label}: ${load.errors} errors, first: ${load.firstError}`);
        out.get(x.side.label)?.push({
          load,
          rps: (load.requests * 1000) / load.elapsedMs,
          proxyCpu: (after[0] - before[0]) / n,
          upstreamCpu: (after[1] - before[1]) / n,
          clientCpu: (after[2] - before[2]) / n,
        });
      }
    }
    return out;
  } finally {
    for (const x of prepared) {
      await Promise.all(x.sessions.map((h) => closeSession(x.pool, x.side.endpoint, h).catch(() => {})));
      await x.pool.close();
    }
  }
}

const HEAD = [
  'scenario',
  'side',
  'req/s median [min–max]',
  'p50 ms',
  'p99 ms',
  'err',
  'proxy cpu µs/req [min–max]',
  'upstream cpu µs/req',
  'client cpu µs/req',
];
const rows: string[][] = [HEAD];
const ratios: string[][] = [['scenario', 'measure', 'value', 'goal', 'met']];

function addRows(name: string, results: Results): void {
  for (const [label, rs] of results) {
    rows.push([
      name,
      label,
      spread(rs.map((r) => r.rps)),
      fmt(med(rs, (r) => p(r, 0.5))),
      fmt(med(rs, (r) => p(r, 0.99))),
      String(rs.reduce((a, r) => a + r.load.errors, 0)),
      spread(rs.map((r) => r.proxyCpu)),
      fmtInt(med(rs, (r) => r.upstreamCpu)),
      fmtInt(med(rs, (r) => r.clientCpu)),
    ]);
  }
}

function ratio(
  scenario: string,
  measure: string,
  value: number,
  goal: string,
  met: boolean,
  unit = '×',
): void {
  const v = unit === '×' ? `${fmt(value)}×` : `${fmt(value, unit === 'ms' ? 2 : 0)} ${unit}`;
  ratios.push([scenario, measure, v, goal, Number.isFinite(value) ? (met ? 'yes' : 'NO') : '—']);
  summary(`${scenario}: ${measure} ${v} (goal ${goal})`);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A peer proxy as a plain child process, ready when its endpoint answers an initialize. */
async function startPeer(
  label: string,
  command: string,
  args: readonly string[],
  url: string,
): Promise<ChildProcess> {
  const child = spawn(command, [...args], { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => void (err = (err + c.toString()).slice(-2000)));
  const u = new URL(url);
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${label} exited: ${err}`);
    const pool = createPool(u.origin, 1);
    try {
      const h = await openSession(pool, { origin: u.origin, path: u.pathname, headers: {} });
      await closeSession(pool, { origin: u.origin, path: u.pathname, headers: {} }, h).catch(() => {});
      return child;
    } catch (e) {
      if (performance.now() > deadline) throw new Error(`${label} not ready: ${String(e)} ${err}`);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await pool.close();
    }
  }
}

async function main(): Promise<void> {
  console.log(machineLine());
  console.log(
    `${ROUNDS} rounds of ${DURATION_MS} ms per side, sides interleaved, after ${WARMUP} warm-up requests`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-hotpath-'));
  const services: Service[] = [];
  const peers: ChildProcess[] = [];
  const service = async (file: string, args: string[], flags: string[] = []): Promise<Service> => {
    const s = await startService(lib(file), args, flags);
    services.push(s);
    return s;
  };
  let n = 0;
  /** A gateway process from `yaml`; with --cpu-prof each one writes a profile (named by its pid). */
  const gateway = async (yaml: string, logLevel = 'info'): Promise<Service> => {
    const file = join(dir, `config-${++n}.yaml`);
    writeFileSync(file, yaml);
    const flags = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
    return service('gateway-server.ts', [file, '--log-level', logLevel], flags);
  };
  /** The same, from a `--baseline` checkout. */
  const baselineGateway = async (checkout: string, yaml: string): Promise<Service> => {
    const file = join(dir, `config-${++n}.yaml`);
    writeFileSync(file, yaml);
    const s = await startService(join(checkout, 'bench', 'lib', 'gateway-server.ts'), [
      file,
      '--log-level',
      'info',
    ]);
    services.push(s);
    return s;
  };
  const side = (label: string, url: string, proxyPid: number, upstreamPid: number, token?: string): Side => {
    const u = new URL(url);
    return {
      label,
      endpoint: {
        origin: u.origin,
        path: u.pathname === '/' ? '/mcp' : u.pathname,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      proxyPid,
      upstreamPid,
    };
  };
  try {
    const key = await makeKey(dir);
    const token = await signToken(key);
    const fast = await service('fast-upstream.ts', ['--tools', '50']);

    let gatewayRps = NaN;
    if (want('saturation') || want('open')) {
      const bare = await service('bare-proxy.ts', [new URL(fast.url).origin]);
      const gw = await gateway(gatewayYaml(fast.url, key.jwksFile, true));
      const sides = [
        side('direct', fast.url, 0, fast.pid, token),
        side('bare proxy', `${bare.url}/mcp`, bare.pid, fast.pid, token),
        side('gateway, seed policies', `${gw.url}/mcp`, gw.pid, fast.pid, token),
      ];
      const variants: Side[] = [];
      if (VARIANTS) {
        const silent = await gateway(gatewayYaml(fast.url, key.jwksFile, true), 'silent');
        const plain = await gateway(gatewayYaml(fast.url, key.jwksFile, false));
        variants.push(side('gw, log silent', `${silent.url}/mcp`, silent.pid, fast.pid, token));
        variants.push(side('gw, no policies', `${plain.url}/mcp`, plain.pid, fast.pid, token));
        // lib/minimal-proxy.ts: node:http in, an undici Pool out (the gateway's client), buffered bodies.
        const undici = await service('minimal-proxy.ts', [fast.url]);
        variants.push(side('undici proxy', `${undici.url}/mcp`, undici.pid, fast.pid, token));
      }
      for (const checkout of BASELINES) {
        const base = await baselineGateway(checkout, gatewayYaml(fast.url, key.jwksFile, true));
        variants.push(side(`gateway @ ${basename(checkout)}`, `${base.url}/mcp`, base.pid, fast.pid, token));
      }
      const name = 'tools/call, 32 clients (saturation)';
      if (want('saturation')) {
        const before = Number(await fast.call('connections'));
        const r = await compare([...sides, ...variants], { clients: 32, body: echo, ok: echoOk });
        addRows(name, r);
        const conns = Number(await fast.call('connections')) - before;
        console.log(`  upstream accepted ${conns} connections during the saturation scenario (all sides)`);
        const [b, g] = [r.get('bare proxy') ?? [], r.get('gateway, seed policies') ?? []];
        gatewayRps = med(g, (x) => x.rps);
        ratio(
          name,
          'gateway req/s ÷ bare',
          gatewayRps / med(b, (x) => x.rps),
          '≥ 0.8×',
          gatewayRps / med(b, (x) => x.rps) >= 0.8,
        );
        const cpu = med(g, (x) => x.proxyCpu) / med(b, (x) => x.proxyCpu);
        ratio(name, 'gateway CPU/req ÷ bare', cpu, '≤ 1.25×', cpu <= 1.25);
        console.log('  done: saturation');
      }
      if (want('open')) {
        const rate = FIXED_RATE
          ? Number(FIXED_RATE)
          : Math.round((Number.isFinite(gatewayRps) ? gatewayRps : 2000) / 2);
        const oname = `tools/call, open loop ${rate} req/s`;
        const r = await compare(sides.slice(1), { clients: 1, body: echo, ok: echoOk, rate });
        addRows(oname, r);
        const [b, g] = [r.get('bare proxy') ?? [], r.get('gateway, seed policies') ?? []];
        const added = med(g, (x) => p(x, 0.5)) - med(b, (x) => p(x, 0.5));
        ratio(oname, 'p50 added over bare', added, '< 0.3 ms', added < 0.3, 'ms');
        ratio(
          oname,
          'p99 added over bare',
          med(g, (x) => p(x, 0.99)) - med(b, (x) => p(x, 0.99)),
          '—',
          true,
          'ms',
        );
        console.log('  done: open loop');
      }
    }

    if (want('stdio')) {
      const server = ['--import', 'tsx', lib('fast-upstream.ts'), '--stdio', '--tools', '50'];
      const gw = await gateway(stdioYaml(process.execPath, server));
      const mp = await freePort();
      peers.push(
        await startPeer(
          'mcp-proxy',
          process.execPath,
          [
            MCP_PROXY,
            '--host',
            '127.0.0.1',
            '--port',
            String(mp),
            '--server',
            'stream',
            '--',
            process.execPath,
            ...server,
          ],
          `http://127.0.0.1:${mp}/mcp`,
        ),
      );
      const sg = await freePort();
      peers.push(
        await startPeer(
          'supergateway',
          process.execPath,
          [
            SUPERGATEWAY,
            '--stdio',
            [process.execPath, ...server].join(' '),
            '--outputTransport',
            'streamableHttp',
            '--stateful',
            '--port',
            String(sg),
            '--logLevel',
            'none',
          ],
          `http://127.0.0.1:${sg}/mcp`,
        ),
      );
      const [mpPid, sgPid] = peers.slice(-2).map((c) => c.pid ?? 0);
      const sides = [
        side('gateway, stdio', `${gw.url}/mcp`, gw.pid, 0),
        side('mcp-proxy', `http://127.0.0.1:${mp}/mcp`, mpPid ?? 0, 0),
        side('supergateway', `http://127.0.0.1:${sg}/mcp`, sgPid ?? 0, 0),
      ];
      for (const checkout of BASELINES) {
        const base = await baselineGateway(checkout, stdioYaml(process.execPath, server));
        sides.push(side(`gateway @ ${basename(checkout)}`, `${base.url}/mcp`, base.pid, 0));
      }
      const name = 'tools/call, stdio upstream, 8 clients';
      const r = await compare(sides, { clients: 8, body: echo, ok: echoOk });
      addRows(name, r);
      const g = med(r.get('gateway, stdio') ?? [], (x) => x.rps);
      const best = Math.max(
        med(r.get('mcp-proxy') ?? [], (x) => x.rps),
        med(r.get('supergateway') ?? [], (x) => x.rps),
      );
      ratio(name, 'gateway req/s ÷ best peer', g / best, '≥ 3×', g / best >= 3);
      console.log('  done: stdio');
    }

    if (want('list')) {
      const up = await service('fast-upstream.ts', ['--tools', '200']);
      const gw = await gateway(rulesYaml(up.url, key.jwksFile, TEN_RULES));
      const name = 'tools/list, 200 tools, 10 rules, 8 clients';
      const r = await compare(
        [
          side('direct', up.url, 0, up.pid, token),
          side('gateway, 10 rules', `${gw.url}/mcp`, gw.pid, up.pid, token),
        ],
        { clients: 8, body: list, ok: (t) => t.includes('"get-env"') },
      );
      addRows(name, r);
      const [d, g] = [r.get('direct') ?? [], r.get('gateway, 10 rules') ?? []];
      const t = med(g, (x) => p(x, 0.5)) / med(d, (x) => p(x, 0.5));
      ratio(name, 'gateway p50 ÷ upstream p50', t, '≤ 1.5×', t <= 1.5);
      ratio(name, 'gateway req/s ÷ upstream', med(g, (x) => x.rps) / med(d, (x) => x.rps), '—', true);
      console.log('  done: list');
    }

    if (want('multiplex')) {
      const targets = await Promise.all(
        [0, 1, 2].map(async (delay) => ({
          name: `t${delay}`,
          svc: await service('fast-upstream.ts', [
            '--tools',
            '50',
            '--delay',
            String(delay),
            '--name',
            `t${delay}`,
          ]),
        })),
      );
      const slowest = targets[2]?.svc as Service;
      const gw = await gateway(multiplexYaml(targets.map((t) => ({ name: t.name, url: t.svc.url }))));
      const name = `tools/list, 3 targets (0/1/2 ms), ${MUX_CLIENTS} client${MUX_CLIENTS === 1 ? '' : 's'}`;
      const r = await compare(
        [
          side('slowest target alone', slowest.url, 0, slowest.pid),
          side('gateway, 3 targets', `${gw.url}/mcp`, gw.pid, slowest.pid),
        ],
        { clients: MUX_CLIENTS, body: list, ok: (t) => t.includes('get-env') },
      );
      addRows(name, r);
      const [d, g] = [r.get('slowest target alone') ?? [], r.get('gateway, 3 targets') ?? []];
      const t = med(g, (x) => p(x, 0.5)) / med(d, (x) => p(x, 0.5));
      ratio(name, 'gateway p50 ÷ slowest p50', t, '≤ 1.2×', t <= 1.2);
      console.log('  done: multiplex');
    }

    if (want('sessions')) {
      const gw = await gateway(manySessionsYaml(fast.url, SESSIONS + 100));
      const u = new URL(gw.url);
      const ep = { origin: u.origin, path: '/mcp', headers: {} };
      const pool = createPool(u.origin, 32);
      await new Promise((r) => setTimeout(r, 500));
      const before = Number(await gw.call('rss'));
      const heapBefore = (await gw.call('memory')) as NodeJS.MemoryUsage;
      const liveBefore = (await gw.call('gc')) as NodeJS.MemoryUsage;
      if (HEAP_SNAPSHOT) await gw.call(`heapsnapshot:${join(HEAP_SNAPSHOT, 'before.heapsnapshot')}`);
      const t0 = performance.now();
      let opened = 0;
      let failed = 0;
      let firstError = '';
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (opened + failed < SESSIONS) {
            opened++;
            await openSession(pool, ep).catch((e: unknown) => {
              opened--;
              failed++;
              firstError ||= String(e);
            });
          }
        }),
      );
      const openMs = performance.now() - t0;
      await new Promise((r) => setTimeout(r, 1000));
      const after = Number(await gw.call('rss'));
      const heapAfter = (await gw.call('memory')) as NodeJS.MemoryUsage;
      // What the sessions keep, without the garbage of opening them: a full GC first.
      const liveAfter = (await gw.call('gc')) as NodeJS.MemoryUsage;
      if (HEAP_SNAPSHOT) await gw.call(`heapsnapshot:${join(HEAP_SNAPSHOT, 'after.heapsnapshot')}`);
      await pool.close();
      const name = `${fmtInt(SESSIONS)} idle sessions, HTTP upstream`;
      rows.push([
        name,
        'gateway',
        `${fmtInt(opened)} opened in ${fmtInt(openMs)} ms`,
        '—',
        '—',
        String(failed),
        '—',
        '—',
        '—',
      ]);
      if (failed) console.log(`  sessions: ${failed} failed, first: ${firstError}`);
      ratio(name, 'gateway RSS before the sessions', before / 2 ** 20, '—', true, 'MB');
      ratio(name, 'gateway RSS', after / 2 ** 20, '< 150 MB', after / 2 ** 20 < 150, 'MB');
      const per = (k: 'heapUsed' | 'external' | 'arrayBuffers'): number =>
        (heapAfter[k] - heapBefore[k]) / Math.max(1, opened);
      ratio(name, 'JS heap used added per session', per('heapUsed'), '—', true, 'bytes');
      ratio(name, 'external (buffers) added per session', per('external'), '—', true, 'bytes');
      const live = (liveAfter.heapUsed - liveBefore.heapUsed) / Math.max(1, opened);
      ratio(name, 'JS heap live per session (after a full GC)', live, '—', true, 'bytes');
      ratio(
        name,
        'gateway RSS after a full GC',
        liveAfter.rss / 2 ** 20,
        '< 150 MB',
        liveAfter.rss / 2 ** 20 < 150,
        'MB',
      );
      ratio(name, 'RSS added per session', (after - before) / Math.max(1, opened), '—', true, 'bytes');
      console.log(`  done: sessions (RSS ${fmt(before / 2 ** 20, 0)} → ${fmt(after / 2 ** 20, 0)} MB)`);
    }

    if (want('reload')) {
      const file = join(dir, 'routes.yaml');
      writeFileSync(file, manyRoutesYaml(fast.url, key.jwksFile, 100, 0));
      const gw = await service(
        'gateway-server.ts',
        [file, '--log-level', 'info'],
        CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [],
      );
      const u = new URL(gw.url);
      const ep = { origin: u.origin, path: '/r0/mcp', headers: { authorization: `Bearer ${token}` } };
      const pool = createPool(u.origin, 8);
      const sessions = await Promise.all(Array.from({ length: 8 }, () => openSession(pool, ep)));
      // The load runs a fixed time; the reloads happen inside it (one every ~100 ms after the first second).
      const loadMs = 2000 + RELOADS * 200;
      const t0 = performance.now();
      const load = closedLoop({
        pool,
        path: ep.path,
        sessions,
        body: echo,
        durationMs: loadMs,
        maxRequests: MAX_REQUESTS,
        ok: echoOk,
      });
      await new Promise((r) => setTimeout(r, 1000));
      const times: number[] = [];
      for (let i = 1; i <= RELOADS; i++) {
        writeFileSync(file, manyRoutesYaml(fast.url, key.jwksFile, 100, i));
        times.push(Number(await gw.call('reload')));
        await new Promise((r) => setTimeout(r, 100));
      }
      const inside = performance.now() - t0 < loadMs;
      const result = await load;
      await Promise.all(sessions.map((h) => closeSession(pool, ep, h).catch(() => {})));
      await pool.close();
      const name = `reload, 100 routes, ${RELOADS}× under 8-client load`;
      rows.push([
        name,
        'gateway',
        `${fmtInt(result.requests)} requests`,
        '—',
        '—',
        String(result.errors),
        '—',
        '—',
        '—',
      ]);
      if (!inside) console.log('  reload: the reloads outlasted the load window');
      if (result.errors) console.log(`  reload: first error: ${result.firstError}`);
      ratio(name, 'failed requests', result.errors, '0', result.errors === 0, 'requests');
      ratio(name, 'reload median [min–max]', median(times), '< 50 ms', median(times) < 50, 'ms');
      ratios.push([
        name,
        'reload range',
        `${fmt(Math.min(...times))}–${fmt(Math.max(...times))} ms`,
        '—',
        '—',
      ]);
      console.log(`  done: reload`);
    }

    console.log('\n' + table(rows));
    console.log('\n' + table(ratios));
    console.log(`\n${machineLine()}`);
  } finally {
    for (const c of peers) c.kill();
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
