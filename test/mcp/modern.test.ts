/**
 * The stateless 2026-07-28 revision on the same endpoint as the session-based revisions, with raw HTTP
 * (the SDK client speaks only the legacy revisions): server/discover, per-request `_meta`, the mirrored
 * Mcp-Method / Mcp-Name / MCP-Protocol-Version headers, cache hints, progress on the response stream,
 * subscriptions/listen — against 2025-only upstreams the gateway initializes itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createFlakyServer } from '../fixtures/flaky-server.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { alive, fixtureStdio, httpTarget, startHarness, type Harness } from './harness.js';
import { raw, rpcError } from './raw.js';

const V = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': V,
  'io.modelcontextprotocol/clientInfo': { name: 'modern-test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

function modern(method: string, params: Record<string, unknown> = {}, id: number | string = 1) {
  return {
    jsonrpc: '2.0',
    id,
    method,
    params: { ...params, _meta: { ...META, ...(params._meta as object) } },
  };
}

function headers(method: string, name?: string): Record<string, string> {
  return {
    'mcp-protocol-version': V,
    'mcp-method': method,
    ...(name !== undefined ? { 'mcp-name': name } : {}),
  };
}

describe('2026-07-28 stateless revision', () => {
  let h: Harness;
  let flaky: ServedFixture;
  let url: string;
  before(async () => {
    flaky = await serveHttp(createFlakyServer);
    h = await startHarness({
      targets: [fixtureStdio('seed', 'seed-server.ts'), httpTarget('flaky', flaky.url)],
    });
    url = `${h.url}/mcp`;
  });
  after(async () => {
    await h.close();
    await flaky.close();
  });

  it('server/discover: supported versions of both eras, merged capabilities, gateway identity', async () => {
    const r = await raw(url, { body: modern('server/discover'), headers: headers('server/discover') });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('mcp-session-id'), null, 'no session in this revision');
    const result = r.json?.result as Record<string, unknown>;
    assert.equal(result.resultType, 'complete');
    assert.ok((result.supportedVersions as string[]).includes(V));
    assert.ok((result.supportedVersions as string[]).includes('2025-11-25'));
    assert.ok((result.capabilities as Record<string, unknown>).tools);
    assert.deepEqual((result.serverInfo as { name: string }).name, 'portcullis');
    assert.match(String(result.instructions), /gateway/);
  });

  it('tools/list and tools/call through upstreams initialized by the gateway, with cache hints', async () => {
    const list = await raw(url, { body: modern('tools/list'), headers: headers('tools/list') });
    assert.equal(list.status, 200, list.text);
    const result = list.json?.result as Record<string, unknown>;
    const names = (result.tools as { name: string }[]).map((t) => t.name);
    assert.ok(names.includes('seed_echo') && names.includes('flaky_slow'));
    assert.equal(result.resultType, 'complete');
    assert.equal(result.ttlMs, 0);
    assert.equal(result.cacheScope, 'private');
    assert.deepEqual((result._meta as Record<string, unknown>)['io.modelcontextprotocol/serverInfo'], {
      name: 'portcullis',
      version: (result._meta as Record<string, { version: string }>)['io.modelcontextprotocol/serverInfo']!
        .version,
    });

    const call = await raw(url, {
      body: modern('tools/call', { name: 'seed_echo', arguments: { message: 'modern' } }, 'c1'),
      headers: headers('tools/call', 'seed_echo'),
    });
    assert.equal(call.status, 200, call.text);
    assert.equal(call.json?.id, 'c1');
    assert.match(JSON.stringify(call.json?.result), /Echo: modern/);
    assert.equal((call.json?.result as { resultType: string }).resultType, 'complete');
  });

  it('reuses the per-backend upstream connections (one stdio child for all stateless requests)', async () => {
    const pid = (): number | undefined =>
      h.service
        .sessions()
        .find((s) => s.transport === 'stateless')
        ?.targets.find((t) => t.name === 'seed')?.pid;
    await raw(url, { body: modern('tools/list'), headers: headers('tools/list') });
    const first = pid();
    assert.ok(first !== undefined && alive(first));
    for (let i = 0; i < 3; i++)
      await raw(url, { body: modern('tools/list', {}, i), headers: headers('tools/list') });
    assert.equal(pid(), first);
  });

  it('progress travels on the request’s own SSE response stream', async () => {
    const r = await raw(url, {
      body: modern(
        'tools/call',
        { name: 'flaky_slow', arguments: { ms: 400 }, _meta: { progressToken: 'tok-1' } },
        9,
      ),
      headers: headers('tools/call', 'flaky_slow'),
    });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
    const progress = r.messages.filter((m) => m.method === 'notifications/progress');
    assert.ok(progress.length >= 1, r.text);
    assert.equal(
      (progress[0]!.params as { progressToken: string }).progressToken,
      'tok-1',
      'the client’s own token',
    );
    assert.equal(r.json?.id, 9);
    assert.match(JSON.stringify(r.json?.result), /slept 400 ms/);
  });

  it('accepts the Base64 sentinel form of Mcp-Name', async () => {
    const name = 'seed_echo';
    const r = await raw(url, {
      body: modern('tools/call', { name, arguments: { message: 'b64' } }),
      headers: headers('tools/call', `=?base64?${Buffer.from(name).toString('base64')}?=`),
    });
    assert.equal(r.status, 200, r.text);
    assert.match(JSON.stringify(r.json), /Echo: b64/);
  });

  const errors: {
    name: string;
    body: unknown;
    headers: Record<string, string>;
    status: number;
    code: number;
  }[] = [
    {
      name: 'Mcp-Method differs from the body',
      body: modern('tools/list'),
      headers: headers('prompts/list'),
      status: 400,
      code: -32020,
    },
    {
      name: 'Mcp-Name differs from the body',
      body: modern('tools/call', { name: 'seed_echo', arguments: { message: 'x' } }),
      headers: headers('tools/call', 'seed_add'),
      status: 400,
      code: -32020,
    },
    {
      name: 'Mcp-Name missing on tools/call',
      body: modern('tools/call', { name: 'seed_echo', arguments: { message: 'x' } }),
      headers: headers('tools/call'),
      status: 400,
      code: -32020,
    },
    {
      name: 'Mcp-Method missing',
      body: modern('tools/list'),
      headers: { 'mcp-protocol-version': V },
      status: 400,
      code: -32020,
    },
    {
      name: 'MCP-Protocol-Version header missing',
      body: modern('tools/list'),
      headers: { 'mcp-method': 'tools/list' },
      status: 400,
      code: -32020,
    },
    {
      name: 'MCP-Protocol-Version header differs from _meta',
      body: modern('tools/list'),
      headers: { ...headers('tools/list'), 'mcp-protocol-version': '2026-08-01' },
      status: 400,
      code: -32020,
    },
    {
      name: 'clientCapabilities missing from _meta',
      body: {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: { _meta: { 'io.modelcontextprotocol/protocolVersion': V } },
      },
      headers: headers('tools/list'),
      status: 400,
      code: -32602,
    },
    {
      name: 'an unknown method',
      body: modern('frobnicate/now'),
      headers: headers('frobnicate/now'),
      status: 404,
      code: -32601,
    },
    {
      name: 'a removed method (logging/setLevel)',
      body: modern('logging/setLevel', { level: 'info' }),
      headers: headers('logging/setLevel'),
      status: 404,
      code: -32601,
    },
  ];
  for (const row of errors) {
    it(`${row.status} ${row.code} when ${row.name}`, async () => {
      const r = await raw(url, { body: row.body, headers: row.headers });
      assert.equal(r.status, row.status, r.text);
      assert.equal(rpcError(r)?.code, row.code, r.text);
      assert.equal(r.json?.id, 1, 'the request id is echoed');
    });
  }

  it('400 UnsupportedProtocolVersion (-32022) lists the supported versions', async () => {
    const body = modern('tools/list');
    body.params._meta['io.modelcontextprotocol/protocolVersion'] = '2099-01-01';
    const r = await raw(url, {
      body,
      headers: { ...headers('tools/list'), 'mcp-protocol-version': '2099-01-01' },
    });
    assert.equal(r.status, 400);
    const err = rpcError(r);
    assert.equal(err?.code, -32022);
    const data = err?.data as { supported: string[]; requested: string };
    assert.ok(data.supported.includes(V));
    assert.equal(data.requested, '2099-01-01');
  });

  it('ignores Mcp-Session-Id, answers notifications with 202, and has no GET stream', async () => {
    const r = await raw(url, {
      body: modern('tools/list'),
      headers: { ...headers('tools/list'), 'mcp-session-id': 'stale' },
    });
    assert.equal(r.status, 200);
    const note = await raw(url, {
      body: { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
      headers: headers('notifications/cancelled'),
    });
    assert.equal(note.status, 202);
    const get = await raw(url, {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'mcp-protocol-version': V },
    });
    assert.equal(get.status, 405);
  });

  it('subscriptions/listen acknowledges the filter first, on a long-lived SSE stream', async () => {
    const ac = new AbortController();
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers('subscriptions/listen'),
      },
      body: JSON.stringify(
        modern(
          'subscriptions/listen',
          { notifications: { toolsListChanged: true, resourceSubscriptions: ['x'] } },
          'sub-1',
        ),
      ),
      signal: ac.signal,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    let buf = '';
    while (!buf.includes('\n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
    }
    const ack = JSON.parse(
      buf
        .split('\n')
        .find((l) => l.startsWith('data: '))!
        .slice(6),
    ) as {
      method: string;
      params: { notifications: Record<string, unknown>; _meta: Record<string, unknown> };
    };
    assert.equal(ack.method, 'notifications/subscriptions/acknowledged');
    assert.deepEqual(
      ack.params.notifications,
      { toolsListChanged: true },
      'resource subscriptions are not offered',
    );
    assert.equal(ack.params._meta['io.modelcontextprotocol/subscriptionId'], 'sub-1');
    ac.abort();
  });

  it('serves a legacy SDK client on the same endpoint at the same time', async () => {
    const client = new Client({ name: 'legacy', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(tools.includes('seed_echo'));
      assert.ok(h.service.sessions().some((s) => s.transport === 'streamable'));
    } finally {
      await client.close();
    }
  });
});
