/**
 * `npm run test:stress` soak: SOAK_SESSIONS (200) concurrent MCP sessions for SOAK_SECONDS (60) of mixed
 * tools/list and tools/call (allowed and denied) through jwtAuth + mcpAuthorization CEL to two targets.
 * 0 failed requests (a denied call must fail exactly as "unknown tool"), the heap after GC flat over the
 * second half (a bound on growth between the midpoint and the end), RSS and p50/p99 printed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connect } from '../helpers/mcp-client.js';
import { settledHeap, settledRss, watchProcessFailures } from '../fuzz/properties.js';
import { startFuzzTarget, type FuzzTarget } from '../fuzz/target.js';

const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 200);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const HEAP_GROWTH_MB = Number(process.env.SOAK_HEAP_GROWTH_MB ?? 32);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

describe(`soak: ${SESSIONS} sessions × ${SECONDS} s through jwtAuth + CEL to two targets`, () => {
  let t: FuzzTarget;
  const watch = watchProcessFailures();
  before(async () => {
    // Production defaults for the head and body deadlines; a request deadline far above any latency.
    t = await startFuzzTarget({
      name: 'soak',
      headerTimeout: '10s',
      bodyTimeout: '30s',
      requestTimeout: '5m',
      // Every session is the same identity here: allow them all (the per-identity cap has its own tests).
      sessionsPerIdentity: SESSIONS * 2,
      // Denied calls are logged at warn; the test helper would keep ~10k of them in this process's memory
      // and the RSS bound would measure the harness, not the gateway.
      logLevel: 'error',
    });
  });
  after(async () => {
    watch.stop();
    await t.stop();
  });

  test('0 failed requests, flat heap over the second half, latency reported', async () => {
    const clients: Client[] = [];
    for (let i = 0; i < SESSIONS; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, SESSIONS - i) }, () =>
          connect(`${t.gw.url}/mcp`, { token: t.tokens.limited }),
        ),
      );
      clients.push(...batch);
    }
    const tools = (await clients[0]!.listTools()).tools.map((x) => x.name);
    const echo = tools.find((n) => n.endsWith('echo'))!;
    const add = tools.find((n) => n.endsWith('add'))!;
    const denied = t.denied.find((n) => n.includes('printEnv')) ?? t.denied[0]!;
    const latencies: number[] = [];
    const failures: string[] = [];
    let ops = 0;
    const deadline = performance.now() + SECONDS * 1000;
    const midpoint = performance.now() + (SECONDS * 1000) / 2;
    let midRss: number | undefined;
    let midHeap: number | undefined;
    const worker = async (c: Client, i: number) => {
      let n = i;
      while (performance.now() < deadline) {
        const kind = n++ % 4;
        const start = performance.now();
        try {
          if (kind === 0) {
            const r = await c.listTools();
            if (r.tools.some((x) => t.denied.includes(x.name))) failures.push('denied tool listed');
          } else if (kind === 1) {
            const r = await c.callTool({ name: echo, arguments: { message: `m${n}` } });
            if (!JSON.stringify(r.content).includes(`m${n}`)) failures.push('wrong echo');
          } else if (kind === 2) {
            const r = await c.callTool({ name: add, arguments: { a: n, b: 1 } });
            if (!JSON.stringify(r.content).includes(`${n + 1}`)) failures.push('wrong sum');
          } else {
            const r = await c.callTool({ name: denied, arguments: {} }).then(
              () => 'allowed',
              (e: Error) => e.message,
            );
            if (!/Unknown tool/.test(r)) failures.push(`denied call answered: ${r.slice(0, 200)}`);
          }
        } catch (e) {
          const code = (e as { code?: unknown }).code;
          failures.push(
            `${['list', 'echo', 'add', 'denied'][kind]} (${String(code)}): ${(e as Error).message.slice(0, 200)}`,
          );
        }
        latencies.push(performance.now() - start);
        ops++;
      }
    };
    const sampler = (async () => {
      while (performance.now() < midpoint) await new Promise((r) => setTimeout(r, 200));
      midRss = await settledRss();
      midHeap = process.memoryUsage().heapUsed;
    })();
    await Promise.all([...clients.map((c, i) => worker(c, i)), sampler]);
    const endRss = await settledRss();
    const endHeap = await settledHeap();
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    latencies.sort((a, b) => a - b);
    const mb = (x: number) => (x / 2 ** 20).toFixed(1);
    process.stdout.write(
      `# soak: ${SESSIONS} sessions, ${SECONDS} s, ${ops} requests (${(ops / SECONDS).toFixed(0)}/s), ` +
        `${failures.length} failed; latency p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${(latencies.at(-1) ?? 0).toFixed(1)} ms; ` +
        `RSS at midpoint ${mb(midRss ?? 0)} MB, at end ${mb(endRss)} MB; ` +
        `heap after GC at midpoint ${mb(midHeap ?? 0)} MB, at end ${mb(endHeap)} MB\n`,
    );
    assert.deepEqual(failures.slice(0, 10), []);
    assert.deepEqual(watch.failures, []);
    assert.ok(ops > SESSIONS, `only ${ops} requests completed`);
    // The leak signal is the heap after forced collections: RSS also keeps pages V8 and the allocator
    // hold on to (measured: RSS +50–90 MB over the second half while the heap after GC stayed flat), and
    // here it includes the 200 SDK clients and both MCP servers, which share this process.
    const growth = (endHeap - (midHeap ?? endHeap)) / 2 ** 20;
    assert.ok(growth < HEAP_GROWTH_MB, `heap after GC grew ${growth.toFixed(1)} MB over the second half`);
  });
});
