/**
 * CPU the gateway adds per MCP request, everything in ONE process (not a test; numbers vary by machine):
 *   npx tsx bench/overhead.bench.ts [--quick] [--requests n] [--rounds n] [--clients n]
 *
 * The client, the upstream (the same SDK server as gateway.bench.ts) and the gateways share one event
 * loop, so there is no cross-process scheduling in the number: process CPU per request through a
 * gateway minus process CPU per request direct = what the gateway costs. On a shared machine this is
 * the steadiest figure we have (wall-clock throughput moves with the neighbours; this mostly does not).
 * Paths: direct; a minimal node:http → undici proxy (the floor for one extra HTTP hop); the seed stack
 * (cors + jwtAuth + mcpAuthorization, access log on); the same with log level silent; no policies at
 * all. Rounds rotate the order of paths; medians are reported.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayYaml, variants } from './lib/configs.js';
import { bootGateway } from './lib/gateway-server.js';
import { makeKey, signToken } from './lib/keys.js';
import {
  closedLoop,
  closeSession,
  createPool,
  openSession,
  rpcBody,
  type Body,
  type Endpoint,
} from './lib/load.js';
import { fmt, fmtInt, machineLine, median, numArg, summary, table } from './lib/stats.js';
import { serveBench } from './lib/upstream-server.js';
import { startMinimalProxy } from './lib/minimal-proxy.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
/** tools/call requests per path per round (tools/list, ~5× dearer upstream, does a fifth). */
const REQUESTS = numArg(argv, '--requests', quick ? 600 : 1500);
const ROUNDS = numArg(argv, '--rounds', quick ? 3 : 5);
const CLIENTS = numArg(argv, '--clients', 4);
const WARMUP = numArg(argv, '--warmup', quick ? 400 : 1000);
const TOOLS = 50;

interface Path {
  readonly label: string;
  readonly endpoint: Endpoint;
}

interface Workload {
  readonly name: string;
  /** Requests per path per round. */
  readonly requests: number;
  readonly body: Body;
  readonly ok: (text: string) => boolean;
}

const WORKLOADS: Workload[] = [
  {
    name: 'tools/call echo',
    requests: REQUESTS,
    body: rpcBody('tools/call', { name: 'echo', arguments: { message: 'hello' } }),
    ok: (t) => t.includes('Echo: hello'),
  },
  {
    name: `tools/list (${TOOLS} tools)`,
    requests: Math.ceil(REQUESTS / 5),
    body: rpcBody('tools/list', {}),
    ok: (t) => t.includes('"get-env"'),
  },
];

/** Process CPU µs per request for `n` requests over `CLIENTS` sessions. */
async function cpuPerRequest(
  n: number,
  run: (n: number) => Promise<{ requests: number; errors: number; firstError: string | undefined }>,
): Promise<number> {
  const c0 = process.cpuUsage();
  const r = await run(n);
  const c = process.cpuUsage(c0);
  if (r.errors) throw new Error(`${r.errors} errors, first: ${r.firstError}`);
  return (c.user + c.system) / Math.max(1, r.requests);
}

async function main(): Promise<void> {
  console.log(machineLine());
  console.log(
    `${ROUNDS} rounds × ${REQUESTS} tools/call (${Math.ceil(REQUESTS / 5)} tools/list) per path, ${CLIENTS} clients, after ${WARMUP} warm-up requests`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-overhead-'));
  const upstream = await serveBench(TOOLS);
  const stops: (() => Promise<void>)[] = [];
  try {
    const key = await makeKey(dir);
    const headers = { authorization: `Bearer ${await signToken(key)}` };
    const up = new URL(upstream.url);
    const paths: Path[] = [{ label: 'direct', endpoint: { origin: up.origin, path: up.pathname, headers } }];
    const floor = await startMinimalProxy(upstream.url);
    stops.push(floor.close);
    paths.push({ label: 'minimal proxy (floor)', endpoint: { origin: floor.url, path: '/mcp', headers } });
    for (const [i, v] of variants('info', true).entries()) {
      const file = join(dir, `config-${i}.yaml`);
      writeFileSync(file, gatewayYaml(upstream.url, key.jwksFile, v.policies));
      const gw = await bootGateway(file, v.logLevel);
      stops.push(gw.stop);
      paths.push({ label: v.label, endpoint: { origin: gw.url, path: '/mcp', headers } });
    }
    const rows = [['workload', 'path', 'cpu µs/req', '÷ direct', 'added µs/req', 'added ÷ floor']];
    for (const w of WORKLOADS) {
      const runners = await Promise.all(
        paths.map(async (p) => {
          const pool = createPool(p.endpoint.origin, CLIENTS);
          const sessions = await Promise.all(
            Array.from({ length: CLIENTS }, () => openSession(pool, p.endpoint)),
          );
          const run = (n: number) =>
            closedLoop({
              pool,
              path: p.endpoint.path,
              sessions,
              body: w.body,
              durationMs: 60_000,
              maxRequests: n,
              ok: w.ok,
            });
          const close = async () => {
            await Promise.all(sessions.map((h) => closeSession(pool, p.endpoint, h).catch(() => undefined)));
            await pool.close();
          };
          return { path: p, run, close, samples: [] as number[] };
        }),
      );
      try {
        for (const r of runners) await r.run(WARMUP);
        for (let round = 0; round < ROUNDS; round++) {
          const shift = round % runners.length;
          for (const r of [...runners.slice(shift), ...runners.slice(0, shift)])
            r.samples.push(await cpuPerRequest(w.requests, r.run));
        }
      } finally {
        for (const r of runners) await r.close();
      }
      const direct = median(runners[0]!.samples);
      const floor = median(runners[1]!.samples) - direct;
      for (const [i, r] of runners.entries()) {
        const m = median(r.samples);
        rows.push([
          w.name,
          r.path.label,
          fmtInt(m),
          i === 0 ? '—' : `${fmt(m / direct)}×`,
          i === 0 ? '—' : fmtInt(m - direct),
          i < 2 || floor <= 0 ? '—' : `${fmt((m - direct) / floor, 1)}×`,
        ]);
        if (i >= 2) {
          summary(
            `overhead ${w.name}, ${r.path.label}: +${fmtInt(m - direct)} µs CPU per request ` +
              `(${fmtInt(direct)} → ${fmtInt(m)}, ${fmt(m / direct)}×; a minimal proxy adds ${fmtInt(floor)})`,
          );
        }
      }
      console.log(`  done: ${w.name}`);
    }
    console.log('\n' + table(rows));
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
