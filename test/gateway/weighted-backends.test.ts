/**
 * Weighted backends are honoured (agentgateway: a weighted random choice per request): 2000 requests
 * over host backends weighted 3:1 split within a generous binomial bound; weight 0 is never chosen;
 * MCP sessions stay on the backend that owns them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createFlakyServer } from '../fixtures/flaky-server.js';
import { serveHttp } from '../fixtures/serve.js';
import { startGateway } from '../helpers/gateway.js';
import { weightedPicker } from '../../src/runtime/weighted.js';

async function named(name: string): Promise<{ server: Server; host: string }> {
  const server = createServer((_req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('host backends weighted 3:1 get about 3/4 and 1/4 of 2000 requests; weight 0 gets none', async (t) => {
  const a = await named('a');
  const b = await named('b');
  const z = await named('z');
  t.after(() => Promise.all([a, b, z].map((x) => new Promise((r) => x.server.close(r)))));
  const gw = await startGateway(
    `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - host: ${a.host}
        weight: 3
      - host: ${b.host}
        weight: 1
      - host: ${z.host}
        weight: 0
`,
    { name: 'weighted-host' },
  );
  t.after(() => gw.stop());
  const counts: Record<string, number> = { a: 0, b: 0, z: 0 };
  const N = 2000;
  for (let i = 0; i < N; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: 50 }, async () => (await fetch(`${gw.url}/`)).text()),
    );
    for (const name of batch) counts[name] = (counts[name] ?? 0) + 1;
  }
  assert.equal(counts.a! + counts.b!, N, JSON.stringify(counts));
  assert.equal(counts.z, 0, 'weight 0 is never chosen');
  // Binomial(2000, 0.75): mean 1500, sd ≈ 19.4; ±6 sd is a bound a correct picker never misses.
  assert.ok(Math.abs(counts.a! - 1500) < 6 * Math.sqrt(N * 0.75 * 0.25), JSON.stringify(counts));
});

test('weightedPicker: cumulative weights, zero weights skipped, nothing when all are zero', () => {
  const pick = weightedPicker([
    { weight: 3, value: 'a' },
    { weight: 0, value: 'z' },
    { weight: 1, value: 'b' },
  ]);
  assert.equal(pick(0), 'a');
  assert.equal(pick(0.74), 'a');
  assert.equal(pick(0.75), 'b');
  assert.equal(pick(0.999), 'b');
  assert.equal(weightedPicker([{ weight: 0, value: 'z' }])(), undefined);
  assert.equal(weightedPicker([{ weight: 2, value: 'only' }])(0.9), 'only');
});

test('MCP backends 1:1: sessions spread over both, and each keeps working on its own backend', async (t) => {
  const one = await serveHttp(createFlakyServer);
  const two = await serveHttp(createFlakyServer);
  t.after(() => Promise.all([one.close(), two.close()]));
  const gw = await startGateway(
    `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - weight: 1
        mcp:
          targets:
          - name: up
            mcp: {host: "${one.url}"}
      - weight: 1
        mcp:
          targets:
          - name: up
            mcp: {host: "${two.url}"}
`,
    { name: 'weighted-mcp' },
  );
  t.after(() => gw.stop());
  const clients: Client[] = [];
  t.after(() => Promise.all(clients.map((c) => c.close())));
  for (let i = 0; i < 16; i++) {
    const c = new Client({ name: `w${i}`, version: '1' });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`)));
    clients.push(c);
  }
  // Every session keeps answering: later requests go to the backend that owns the session.
  for (const c of clients) {
    for (let k = 0; k < 3; k++) {
      const r = await c.callTool({ name: 'slow', arguments: { ms: 0 } });
      assert.deepEqual(r.content, [{ type: 'text', text: 'slept 0 ms' }]);
    }
  }
  const calls = (s: typeof one) => s.requests.filter((r) => r.rpcMethod === 'tools/call').length;
  assert.equal(calls(one) + calls(two), 48);
  // P(all 16 sessions on one side) = 2 × 2^-16: both backends serve sessions.
  assert.ok(calls(one) > 0 && calls(two) > 0, `one ${calls(one)}, two ${calls(two)}`);
});
