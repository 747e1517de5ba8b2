/**
 * What the Prometheus metrics cost per proxied `tools/call` (not a test; numbers vary by machine):
 *   npx tsx bench/metrics.bench.ts [--ops 200000] [--rounds 5]
 * One call's worth of metric updates, as the gateway makes them: the HTTP request (counter + histogram
 * from its access-log fields), the MCP request (counter) and the upstream call (histogram). CPU µs per
 * call, median of rounds with [min–max], in one process (no sockets): the steadiest number there is for a
 * cost this small next to the ~1 ms the gateway spends per call (bench/hotpath.bench.ts).
 */
import type { AccessLogFields } from '../src/contracts/request-context.js';
import { createMetrics } from '../src/telemetry/metrics.js';
import { fmt, machineLine, median, numArg, summary, table } from './lib/stats.js';

const argv = process.argv.slice(2);
const OPS = numArg(argv, '--ops', argv.includes('--quick') ? 50_000 : 200_000);
const ROUNDS = Math.max(1, numArg(argv, '--rounds', 5));

const metrics = createMetrics({ version: 'bench' });
const fields: AccessLogFields = {
  listener: 'default',
  route: 'route0',
  'http.method': 'POST',
  'http.status': 200,
};
const event = {
  method: 'tools/call',
  target: 'upstream',
  resourceType: 'tool',
  resource: 'echo',
  decision: 'allow',
} as const;
metrics.resourcesListed('upstream', 'tool', ['echo', 'get-sum', 'get-env']);

function once(): void {
  metrics.httpRequest(fields, 0.0012);
  metrics.mcpRequest(event);
  metrics.upstreamCall('upstream', 0.0004, undefined);
}

function round(n: number): number {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) once();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

console.log(machineLine());
round(OPS / 4); // warm-up: the JIT needs calls
const us = Array.from({ length: ROUNDS }, () => round(OPS));
const rows = [
  ['what', 'CPU µs per call [min–max]', 'ops per round', 'rounds'],
  [
    'httpRequest + mcpRequest + upstreamCall',
    `${fmt(median(us))} [${fmt(Math.min(...us))}–${fmt(Math.max(...us))}]`,
    String(OPS),
    String(ROUNDS),
  ],
];
console.log('\n' + table(rows));
summary(`metrics per tools/call: ${fmt(median(us))} µs CPU`);
