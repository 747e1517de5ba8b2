/**
 * The Streamable HTTP and legacy SSE status-code table, asserted on the wire: every transport error is a
 * JSON-RPC error body (id null where the request could not be read), never a stack trace.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { ServedFixture } from '../fixtures/serve.js';
import { backendOf, httpTarget, startHarness, type Harness } from './harness.js';
import { servePaged } from './paged-server.js';
import { ACCEPT_BOTH, INIT, raw, rpcError, type RawResponse } from './raw.js';

function noStack(r: RawResponse): void {
  assert.doesNotMatch(r.text, /\n\s+at .+\(.*:\d+:\d+\)/, 'no stack trace');
}

describe('Streamable HTTP status codes (stateful)', () => {
  let h: Harness;
  let paged: ServedFixture;
  let mcp: string;
  before(async () => {
    paged = await servePaged('p', 2);
    h = await startHarness({ targets: [httpTarget('paged', paged.url)], config: { maxBodyBytes: 4096 } });
    mcp = `${h.url}/some/prefix/mcp`;
  });
  after(async () => {
    await h.close();
    await paged.close();
  });

  async function session(): Promise<string> {
    const r = await raw(mcp, { body: INIT });
    assert.equal(r.status, 200);
    const id = r.headers.get('mcp-session-id');
    assert.ok(id);
    return id;
  }

  const table: {
    name: string;
    req: () => Promise<RawResponse>;
    status: number;
    code?: number;
    message?: RegExp;
    allow?: string;
  }[] = [
    {
      name: '406 when Accept lacks text/event-stream',
      req: () => raw(mcp, { body: INIT, headers: { accept: 'application/json' } }),
      status: 406,
      code: -32600,
      message: /Not Acceptable/,
    },
    {
      name: '406 when Accept lacks application/json',
      req: () => raw(mcp, { body: INIT, headers: { accept: 'text/event-stream' } }),
      status: 406,
    },
    {
      name: '415 for a non-JSON body',
      req: () => raw(mcp, { body: 'hello', headers: { 'content-type': 'text/plain' } }),
      status: 415,
      message: /Unsupported Media Type/,
    },
    {
      name: '400 for unparseable JSON',
      req: () => raw(mcp, { body: '{"jsonrpc":' }),
      status: 400,
      code: -32700,
    },
    {
      name: '400 for invalid JSON-RPC',
      req: () => raw(mcp, { body: { hello: 'world' } }),
      status: 400,
      code: -32600,
    },
    {
      name: '400 for a batch',
      req: () => raw(mcp, { body: [INIT] }),
      status: 400,
      code: -32600,
      message: /batches are not supported/,
    },
    {
      name: '400 for a missing Mcp-Session-Id on a non-initialize request',
      req: () => raw(mcp, { body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } }),
      status: 400,
      message: /Mcp-Session-Id header is required/,
    },
    {
      name: '400 for a notification without a session',
      req: () => raw(mcp, { body: { jsonrpc: '2.0', method: 'notifications/initialized' } }),
      status: 400,
    },
    {
      name: '404 for an unknown session',
      req: () =>
        raw(mcp, {
          body: { jsonrpc: '2.0', id: 2, method: 'tools/list' },
          headers: { 'mcp-session-id': 'nope' },
        }),
      status: 404,
      message: /Session not found/,
    },
    {
      name: '400 for an unsupported MCP-Protocol-Version',
      req: () => raw(mcp, { body: INIT, headers: { 'mcp-protocol-version': '1999-01-01' } }),
      status: 400,
      code: -32022,
      message: /Unsupported protocol version/,
    },
    {
      name: '413 beyond the body limit',
      req: () => raw(mcp, { body: { ...INIT, params: { ...INIT.params, padding: 'x'.repeat(5000) } } }),
      status: 413,
    },
    {
      name: '405 with Allow for PUT',
      req: () => raw(mcp, { method: 'PUT', body: INIT }),
      status: 405,
      allow: 'GET, POST, DELETE',
    },
    {
      name: '406 for GET without text/event-stream',
      req: () => raw(mcp, { method: 'GET', headers: { accept: 'application/json' } }),
      status: 406,
    },
    { name: '400 for GET without a session', req: () => raw(mcp, { method: 'GET' }), status: 400 },
    {
      name: '404 for GET with an unknown session',
      req: () => raw(mcp, { method: 'GET', headers: { 'mcp-session-id': 'x' } }),
      status: 404,
    },
    { name: '400 for DELETE without a session', req: () => raw(mcp, { method: 'DELETE' }), status: 400 },
    {
      name: '404 for DELETE of an unknown session',
      req: () => raw(mcp, { method: 'DELETE', headers: { 'mcp-session-id': 'x' } }),
      status: 404,
    },
  ];

  for (const row of table) {
    it(row.name, async () => {
      const r = await row.req();
      assert.equal(r.status, row.status, r.text);
      noStack(r);
      const err = rpcError(r);
      assert.ok(err, `JSON-RPC error body: ${r.text}`);
      assert.equal(r.json?.id, null);
      if (row.code !== undefined) assert.equal(err.code, row.code);
      if (row.message) assert.match(err.message, row.message);
      if (row.allow) assert.equal(r.headers.get('allow'), row.allow);
    });
  }

  it('200 JSON + Mcp-Session-Id for initialize; 202 for notifications and responses; ping answered', async () => {
    const init = await raw(mcp, { body: INIT });
    assert.equal(init.status, 200);
    assert.match(init.headers.get('content-type') ?? '', /application\/json/);
    const id = init.headers.get('mcp-session-id') ?? '';
    // A sealed id (src/mcp/session/resume.ts): base64url, visible ASCII as the spec requires.
    assert.match(id, /^[A-Za-z0-9_-]{40,}$/);
    assert.equal((init.json?.result as { serverInfo: { name: string } }).serverInfo.name, 'paged-p');
    const h2 = { 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' };
    const note = await raw(mcp, {
      body: { jsonrpc: '2.0', method: 'notifications/initialized' },
      headers: h2,
    });
    assert.equal(note.status, 202);
    assert.equal(note.text, '');
    const resp = await raw(mcp, { body: { jsonrpc: '2.0', id: 'x:1', result: {} }, headers: h2 });
    assert.equal(resp.status, 202);
    const ping = await raw(mcp, { body: { jsonrpc: '2.0', id: 7, method: 'ping' }, headers: h2 });
    assert.deepEqual(ping.json, { jsonrpc: '2.0', id: 7, result: {} });
    const again = await raw(mcp, { body: INIT, headers: h2 });
    assert.equal(again.status, 400, 'a second initialize on a session');
    assert.equal(rpcError(again)?.code, -32600);
  });

  it('answers with SSE when the client ranks text/event-stream first', async () => {
    const r = await raw(mcp, { body: INIT, headers: { accept: 'text/event-stream, application/json' } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.ok(r.headers.get('mcp-session-id'));
    assert.equal(r.json?.id, 1);
  });

  it('DELETE ends the session (204), after which it is unknown (404)', async () => {
    const id = await session();
    const del = await raw(mcp, { method: 'DELETE', headers: { 'mcp-session-id': id } });
    assert.equal(del.status, 204);
    const after = await raw(mcp, {
      body: { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      headers: { 'mcp-session-id': id },
    });
    assert.equal(after.status, 404);
  });

  it('GET opens the session stream as text/event-stream', async () => {
    const id = await session();
    const ac = new AbortController();
    const res = await fetch(mcp, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': id },
      signal: ac.signal,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    ac.abort();
  });

  it('413 for a chunked body (no Content-Length) that grows past the limit while streaming', async () => {
    const url = new URL(mcp);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      // 8 chunks of 1 KiB against a 4 KiB limit; the gateway answers without waiting for the rest.
      req.write('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"');
      for (let i = 0; i < 8; i++) req.write('y'.repeat(1024));
      req.end('"}}');
    });
    assert.equal(status, 413);
    const parsed = JSON.parse(body) as { id: unknown; error: { message: string } };
    assert.equal(parsed.id, null);
    assert.match(parsed.error.message, /larger than 4096 bytes/);
    // The gateway still serves the next request.
    assert.equal((await raw(mcp, { body: INIT })).status, 200);
  });

  it('JSON-RPC errors of a request are answered in-band with the request id', async () => {
    const id = await session();
    const r = await raw(mcp, {
      body: { jsonrpc: '2.0', id: 'abc', method: 'tools/call', params: { name: 'nope', arguments: {} } },
      headers: { 'mcp-session-id': id },
    });
    assert.equal(r.status, 200);
    assert.equal(r.json?.id, 'abc');
    // Single target, conditional prefixing: the name passes through and the upstream answers.
    assert.ok(rpcError(r) || r.json?.result);
    const bad = await raw(mcp, {
      body: { jsonrpc: '2.0', id: 3, method: 'no/such/method' },
      headers: { 'mcp-session-id': id },
    });
    assert.equal(bad.json?.id, 3);
    assert.equal(rpcError(bad)?.code, -32601);
  });
});

describe('statefulMode: stateless and the legacy SSE endpoint', () => {
  let h: Harness;
  let paged: ServedFixture;
  before(async () => {
    paged = await servePaged('p', 2);
    h = await startHarness({
      targets: [httpTarget('paged', paged.url)],
      config: { statefulMode: 'stateless' },
    });
  });
  after(async () => {
    await h.close();
    await paged.close();
  });

  it('stateless: GET and DELETE are 405 with Allow: POST; POSTs need no session', async () => {
    const get = await raw(`${h.url}/mcp`, { method: 'GET', headers: { accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    const del = await raw(`${h.url}/mcp`, { method: 'DELETE' });
    assert.equal(del.status, 405);
    const init = await raw(`${h.url}/mcp`, { body: INIT });
    assert.equal(init.status, 200);
    assert.equal(init.headers.get('mcp-session-id'), null, 'no session id in stateless mode');
    assert.equal((init.json?.result as { protocolVersion: string }).protocolVersion, '2025-06-18');
    const list = await raw(`${h.url}/mcp`, { body: { jsonrpc: '2.0', id: 2, method: 'tools/list' } });
    assert.deepEqual(
      (list.json?.result as { tools: { name: string }[] }).tools.map((t) => t.name),
      ['t1', 't2'],
    );
    const call = await raw(`${h.url}/mcp`, {
      body: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 't2' } },
    });
    assert.match(JSON.stringify(call.json), /p:t2/);
    assert.equal(h.service.sessions().filter((s) => s.transport !== 'stateless').length, 0);
  });

  it('legacy SSE: 400 without sessionId, 404 for an unknown one, 405 with Allow for other methods', async () => {
    h.backend = backendOf({ targets: h.backend.config.targets, backendKey: h.backend.key });
    const noId = await raw(`${h.url}/sse`, { body: INIT });
    assert.equal(noId.status, 400);
    const unknown = await raw(`${h.url}/sse?sessionId=nope`, { body: INIT });
    assert.equal(unknown.status, 404);
    const put = await raw(`${h.url}/sse`, { method: 'PUT', body: INIT, headers: { accept: ACCEPT_BOTH } });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST');
  });
});
