/**
 * 64 `tools/call` in flight at once on one client session, through the gateway to a real Streamable
 * HTTP upstream: every answer carries its own JSON-RPC id and its own result. The upstream's `hold`
 * tool answers nothing until all 64 calls have arrived, then answers them in reverse order of arrival,
 * so the calls are provably concurrent and the answers come back out of order. Stateful and stateless
 * routes; the official SDK client (which pairs answers by id) and raw HTTP (which checks the id itself).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { connect } from '../helpers/mcp-client.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

const N = 64;

/** Calls waiting in the upstream; all are released (last first) once `N` wait, or after 10 s. */
function barrierServer(): { factory: () => McpServer; reset(): void; maxWaiting(): number } {
  let waiting: (() => void)[] = [];
  let max = 0;
  const release = (): void => {
    const all = waiting.reverse();
    waiting = [];
    for (const go of all) go();
  };
  const factory = (): McpServer => {
    const mcp = new McpServer({ name: 'barrier', version: '1.0.0' });
    mcp.registerTool(
      'hold',
      { description: 'Answers its tag once every call has arrived', inputSchema: { tag: z.string() } },
      async ({ tag }) => {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          max = Math.max(max, waiting.length);
          if (waiting.length >= N) release();
          else if (waiting.length === 1) setTimeout(release, 10_000).unref();
        });
        return { content: [{ type: 'text', text: `held:${tag}` }], structuredContent: { tag } };
      },
    );
    return mcp;
  };
  return { factory, reset: () => void (max = 0), maxWaiting: () => max };
}

function yaml(upstream: string, stateless: boolean): string {
  return `binds:
- port: 0
  address: 127.0.0.1
  listeners:
  - routes:
    - backends:
      - mcp:
${stateless ? '          statefulMode: stateless\n' : ''}          targets:
          - name: up
            mcp:
              host: ${JSON.stringify(upstream)}
`;
}

const tag = (i: number): string => `call-${i}-${(i * 7919).toString(36)}`;

for (const mode of ['stateful', 'stateless'] as const) {
  describe(`${N} tools/call in flight on one session (${mode} route)`, () => {
    const barrier = barrierServer();
    let upstream: ServedFixture;
    let gw: TestGateway;
    before(async () => {
      upstream = await serveHttp(barrier.factory);
      gw = await startGateway(yaml(upstream.url, mode === 'stateless'), { name: `inflight-64-${mode}` });
    });
    after(async () => {
      await gw?.stop();
      await upstream?.close();
    });

    it('SDK client: each call gets its own result', async () => {
      barrier.reset();
      const client = await connect(`${gw.url}/mcp`);
      try {
        const results = await Promise.all(
          Array.from({ length: N }, (_, i) => client.callTool({ name: 'hold', arguments: { tag: tag(i) } })),
        );
        assert.equal(barrier.maxWaiting(), N, 'all calls were waiting in the upstream at once');
        results.forEach((r, i) => {
          assert.notEqual(r.isError, true, JSON.stringify(r));
          assert.deepEqual(r.content, [{ type: 'text', text: `held:${tag(i)}` }]);
          assert.deepEqual(r.structuredContent, { tag: tag(i) });
        });
      } finally {
        await client.close();
      }
    });

    it('raw HTTP: each answer carries its own id and its own result', async () => {
      barrier.reset();
      const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      const init = await fetch(`${gw.url}/mcp`, {
        method: 'POST',
        headers: base,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 't', version: '1' },
          },
        }),
      });
      assert.equal(init.status, 200, await init.clone().text());
      await init.text();
      const sid = init.headers.get('mcp-session-id');
      const headers: Record<string, string> = { ...base, 'mcp-protocol-version': '2025-06-18' };
      if (sid) headers['mcp-session-id'] = sid;
      else assert.equal(mode, 'stateless', 'a stateful route gives a session id');
      const ack = await fetch(`${gw.url}/mcp`, {
        method: 'POST',
        headers,
        body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      });
      assert.equal(ack.status, 202);
      // Ids of both kinds JSON-RPC allows, distinct from each other and from the position.
      const idOf = (i: number): string | number => (i % 2 ? `req-${i}` : 1000 + i * 3);
      const answers = await Promise.all(
        Array.from({ length: N }, async (_, i) => {
          const r = await fetch(`${gw.url}/mcp`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              jsonrpc: '2.0',
              id: idOf(i),
              method: 'tools/call',
              params: { name: 'hold', arguments: { tag: tag(i) } },
            }),
          });
          const text = await r.text();
          assert.equal(r.status, 200, text);
          const data = r.headers.get('content-type')?.includes('text/event-stream')
            ? text
                .split('\n')
                .filter((l) => l.startsWith('data:'))
                .map((l) => l.slice(5).trim())
                .at(-1)
            : text;
          return JSON.parse(data ?? 'null') as { id: unknown; result?: { structuredContent?: unknown } };
        }),
      );
      assert.equal(barrier.maxWaiting(), N, 'all calls were waiting in the upstream at once');
      answers.forEach((a, i) => {
        assert.equal(a.id, idOf(i), `answer ${i} carries its own id`);
        assert.deepEqual(a.result?.structuredContent, { tag: tag(i) }, `answer ${i} carries its own result`);
      });
    });
  });
}
