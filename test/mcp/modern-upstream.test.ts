/**
 * An upstream that speaks only the stateless 2026-07-28 revision (no `initialize`): the gateway falls back
 * to `server/discover` when `initialize` is unknown, then stamps the per-request `_meta` on every request.
 * A 2025 SDK client lists and calls its tools, alone and multiplexed with server-everything over stdio;
 * a 2026 request reaches it through the stateless connections too.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startModernOnlyServer, type ModernOnlyServer } from '../fixtures/modern-only-server.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';
import { raw } from './raw.js';

const V = '2026-07-28';
const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');

function yaml(modernUrl: string, withEverything: boolean): string {
  const everything = withEverything
    ? `
          - name: everything
            stdio: { cmd: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(EVERYTHING)}, "stdio"] }`
    : '';
  return `
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: modern
            mcp: { host: ${JSON.stringify(modernUrl)} }${everything}
`;
}

describe('2026-07-28-only upstream', () => {
  let modern: ModernOnlyServer;
  let single: TestGateway;
  let multi: TestGateway;
  before(async () => {
    modern = await startModernOnlyServer();
    single = await startGateway(yaml(modern.url, false), { name: 'modern-upstream-single' });
    multi = await startGateway(yaml(modern.url, true), { name: 'modern-upstream-multi' });
  });
  after(async () => {
    await single?.stop();
    await multi?.stop();
    await modern?.close();
  });

  it('a 2025 client lists and calls its tools (single target)', async () => {
    const c = await connect(`${single.url}/mcp`);
    try {
      assert.equal(c.getServerVersion()?.name, 'modern-only');
      assert.deepEqual(await toolNames(c), ['echo']);
      const r = await c.callTool({ name: 'echo', arguments: { text: 'hi' } });
      assert.deepEqual(r.content, [{ type: 'text', text: 'echo: hi' }]);
    } finally {
      await c.close();
    }
    const call = modern.received.find((m) => m.method === 'tools/call');
    const meta = call?.params?._meta as Record<string, unknown>;
    assert.equal(meta['io.modelcontextprotocol/protocolVersion'], V);
    assert.equal((meta['io.modelcontextprotocol/clientInfo'] as { name: string }).name, 'portcullis');
    assert.ok(meta['io.modelcontextprotocol/clientCapabilities']);
    assert.equal(call?.headers['mcp-protocol-version'], V);
    assert.equal(call?.headers['mcp-method'], 'tools/call');
    assert.equal(call?.headers['mcp-name'], 'echo');
    assert.ok(!modern.received.some((m) => m.method === 'notifications/initialized'));
  });

  it('multiplexed with server-everything over stdio', async () => {
    const c = await connect(`${multi.url}/mcp`);
    try {
      const names = await toolNames(c);
      assert.ok(names.includes('modern_echo'), names.join());
      assert.ok(names.includes('everything_echo'), names.join());
      const a = await c.callTool({ name: 'modern_echo', arguments: { text: 'one' } });
      assert.deepEqual(a.content, [{ type: 'text', text: 'echo: one' }]);
      const b = await c.callTool({ name: 'everything_echo', arguments: { message: 'two' } });
      assert.match(JSON.stringify(b.content), /two/);
    } finally {
      await c.close();
    }
  });

  it('a 2026 client reaches it through the stateless connections', async () => {
    const meta = {
      'io.modelcontextprotocol/protocolVersion': V,
      'io.modelcontextprotocol/clientInfo': { name: 'modern-test', version: '1.0.0' },
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const r = await raw(`${multi.url}/mcp`, {
      body: {
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'modern_echo', arguments: { text: 'three' }, _meta: meta },
      },
      headers: { 'mcp-protocol-version': V, 'mcp-method': 'tools/call', 'mcp-name': 'modern_echo' },
    });
    assert.equal(r.status, 200, r.text);
    const result = r.json?.result as { content: unknown };
    assert.deepEqual(result.content, [{ type: 'text', text: 'echo: three' }]);
  });
});
