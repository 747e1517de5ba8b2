/**
 * Through the whole gateway from YAML: an MCP backend mounted under a path prefix, multiplexing a stdio
 * and a Streamable HTTP target, reached by SDK clients over Streamable HTTP and legacy SSE (whose endpoint
 * event keeps the prefix), plus a 2026-07-28 request on the same endpoint.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServedFixture } from '../fixtures/serve.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';
import { servePaged } from './paged-server.js';
import { raw } from './raw.js';

describe('MCP backend through the gateway', () => {
  let gw: TestGateway;
  let paged: ServedFixture;
  before(async () => {
    paged = await servePaged('p', 2);
    const seed = resolve('test/fixtures/seed-server.ts');
    gw = await startGateway(
      `
binds:
- port: 0
  listeners:
  - routes:
    - matches: [{ path: { pathPrefix: /team } }]
      backends:
      - mcp:
          targets:
          - name: seed
            stdio: { cmd: ${JSON.stringify(process.execPath)}, args: ["--import", "tsx", ${JSON.stringify(seed)}, "--stdio"] }
          - name: paged
            mcp: { host: ${JSON.stringify(paged.url)} }
`,
      { name: 'mcp-gateway' },
    );
  });
  after(async () => {
    await gw.stop();
    await paged.close();
  });

  for (const transport of ['streamable', 'sse'] as const) {
    it(`${transport}: prefixed names from both targets under /team`, async () => {
      const c = await connect(`${gw.url}/team/${transport === 'sse' ? 'sse' : 'mcp'}`, { transport });
      try {
        const names = await toolNames(c);
        assert.deepEqual(names, ['paged_t1', 'paged_t2', 'seed_add', 'seed_echo', 'seed_printEnv']);
        const r = await c.callTool({ name: 'seed_add', arguments: { a: 1, b: 2 } });
        assert.match(JSON.stringify(r.content), /3/);
      } finally {
        await c.close();
      }
    });
  }

  it('the legacy endpoint event keeps the route prefix', async () => {
    const ac = new AbortController();
    const res = await fetch(`${gw.url}/team/sse`, {
      headers: { accept: 'text/event-stream' },
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    let buf = '';
    while (!buf.includes('\n\n')) buf += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    assert.match(buf, /event: endpoint\ndata: \/team\/sse\?sessionId=[0-9a-f-]{36}\n/);
  });

  it('a 2026-07-28 request on the same endpoint', async () => {
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const r = await raw(`${gw.url}/team/mcp`, {
      body: {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'paged_t2', arguments: {}, _meta: meta },
      },
      headers: { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'paged_t2' },
    });
    assert.equal(r.status, 200, r.text);
    assert.match(JSON.stringify(r.json?.result), /p:t2/);
  });
});
