import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createUpstreamFactory } from '../../src/mcp/upstream/factory.js';
import { startConformanceServer } from '../fixtures/conformance-server.js';
import { startHeadersServer } from '../fixtures/headers-server.js';
import type { ServedFixture } from '../fixtures/serve.js';
import { startSeedServer } from '../fixtures/seed-server.js';
import { freePort, spawnEverything, spawnFixture, type SpawnedServer } from '../fixtures/spawn.js';
import { Driver, eventually, firstText, recordingTelemetry, target, type Json } from './driver.js';

const quiet = pino({ level: 'silent' });

/** A plain HTTP server answering every request with `handler` (for failure shapes no MCP server makes). */
async function rawServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const srv = createServer(handler);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () => {
      srv.closeAllConnections();
      return new Promise((resolve) => srv.close(() => resolve()));
    },
  };
}

describe('Streamable HTTP upstream', () => {
  const factory = createUpstreamFactory({ telemetry: recordingTelemetry() });
  const mcp = (name: string, url: string, extra: Json = {}) => target(name, { kind: 'mcp', url, ...extra });
  let seed: ServedFixture;
  let conformance: ServedFixture;

  before(async () => {
    seed = await startSeedServer();
    conformance = await startConformanceServer();
  });
  after(async () => {
    await factory.close();
    await seed.close();
    await conformance.close();
  });

  it('initialize → tools/list → tools/call against server-everything (child process)', async (t) => {
    let everything: SpawnedServer | undefined = await spawnEverything('streamableHttp');
    t.after(() => everything?.close());
    const up = factory.create(mcp('everything', everything.url), { logger: quiet });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await up.start();
    const init = await rpc.initialize();
    assert.equal((init.serverInfo as Json).name, 'mcp-servers/everything');
    assert.ok(up.sessionId, 'the upstream session id is kept');
    const list = await rpc.call('tools/list');
    assert.ok((list.tools as { name: string }[]).some((x) => x.name === 'get-sum'));
    const sum = await rpc.call('tools/call', { name: 'get-sum', arguments: { a: 2, b: 3 } });
    assert.match(firstText(sum), /5/);
    await everything.close();
    everything = undefined;
  });

  it('sends the session id and negotiated protocol version, merges per-send headers, keeps its own', async (t) => {
    const headers = await startHeadersServer();
    t.after(() => headers.close());
    const up = factory.create(mcp('hdr', headers.url), { logger: quiet });
    t.after(() => up.close());
    const rpc = new Driver(up);
    const send = {
      headers: {
        authorization: 'Bearer upstream-token',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        'Mcp-Session-Id': 'client-session-must-not-pass',
        accept: 'text/html',
        host: 'evil.example',
      },
    };
    const init = await rpc.initialize(send);
    const res = await rpc.call('tools/call', { name: 'get_headers', arguments: {} }, send);
    const seen = (res.structuredContent as { headers: Record<string, string> }).headers;
    assert.equal(seen.authorization, 'Bearer upstream-token');
    assert.equal(seen.traceparent, send.headers.traceparent);
    assert.equal(seen['mcp-session-id'], up.sessionId);
    assert.equal(seen['mcp-protocol-version'], init.protocolVersion);
    assert.equal(seen.accept, 'application/json, text/event-stream');
    assert.match(seen.host!, /^127\.0\.0\.1:\d+$/);
    // initialize itself goes without session id and protocol version
    const first = headers.requests.find((r) => r.rpcMethod === 'initialize')!;
    assert.equal(first.headers['mcp-session-id'], undefined);
    assert.equal(first.headers['mcp-protocol-version'], undefined);
  });

  it('re-initializes transparently when the upstream lost the session (404)', async (t) => {
    const up = factory.create(mcp('seed', seed.url), { logger: quiet });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await rpc.initialize();
    const before = up.sessionId;
    assert.equal(
      firstText(await rpc.call('tools/call', { name: 'echo', arguments: { message: 'one' } })),
      'Echo: one',
    );

    await seed.dropSessions(); // the upstream "restarted"
    const inits = seed.requests.filter((r) => r.rpcMethod === 'initialize').length;
    const again = await rpc.call('tools/call', { name: 'echo', arguments: { message: 'two' } });
    assert.equal(firstText(again), 'Echo: two');
    assert.notEqual(up.sessionId, before);
    assert.equal(seed.requests.filter((r) => r.rpcMethod === 'initialize').length, inits + 1);
    assert.ok(
      seed.requests.some(
        (r) => r.rpcMethod === 'notifications/initialized' && r.headers['mcp-session-id'] === up.sessionId,
      ),
    );
    assert.deepEqual(rpc.unexpected, [], 'the replayed initialize is not delivered');
  });

  it('relays progress and server→client requests from the POST stream', async (t) => {
    const up = factory.create(mcp('conf', conformance.url), { logger: quiet });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await rpc.initialize();
    const res = await rpc.call('tools/call', {
      name: 'test_tool_with_progress',
      arguments: {},
      _meta: { progressToken: 'p1' },
    });
    assert.match(firstText(res), /p1/);
    const progress = rpc.notifications.filter((n) => n.method === 'notifications/progress');
    assert.deepEqual(
      progress.map((n) => (n.params as Json).progress),
      [0, 50, 100],
    );

    rpc.onServerRequest = (req) => {
      assert.equal(req.method, 'sampling/createMessage');
      return {
        role: 'assistant',
        content: { type: 'text', text: 'sampled!' },
        model: 'm',
        stopReason: 'endTurn',
      };
    };
    const sampled = await rpc.call('tools/call', { name: 'test_sampling', arguments: { prompt: 'hi' } });
    assert.equal(firstText(sampled), 'LLM response: sampled!');
    assert.equal(rpc.serverRequests.length, 1);
  });

  it('resumes a POST stream the upstream closed mid-call (GET + Last-Event-ID)', async (t) => {
    const up = factory.create(mcp('conf', conformance.url), { logger: quiet });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await rpc.initialize();
    const res = await rpc.call('tools/call', { name: 'test_reconnection', arguments: {} });
    assert.match(firstText(res), /Reconnection test completed/);
    assert.ok(
      conformance.requests.some((r) => r.method === 'GET' && r.headers['last-event-id'] !== undefined),
      'resumed with Last-Event-ID',
    );
  });

  it('opens the GET event stream, and tolerates 405', async (t) => {
    const up = factory.create(mcp('seed', seed.url), { logger: quiet });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await rpc.initialize();
    await up.openEventStream!();
    await eventually(() =>
      seed.requests.some((r) => r.method === 'GET' && r.headers['mcp-session-id'] === up.sessionId),
    );

    const no = await rawServer((req, res) => {
      if (req.method === 'GET') return void res.writeHead(405, { allow: 'POST' }).end();
      res.writeHead(202).end();
    });
    t.after(() => no.close());
    const up2 = factory.create(mcp('nostream', no.url), { logger: quiet });
    t.after(() => up2.close());
    await up2.openEventStream!();
  });

  it('close() ends the upstream session with DELETE', async () => {
    const up = factory.create(mcp('seed', seed.url), { logger: quiet });
    const rpc = new Driver(up);
    await rpc.initialize();
    const sid = up.sessionId;
    const open = seed.sessions();
    await up.close();
    assert.equal(await rpc.closed, undefined);
    assert.ok(seed.requests.some((r) => r.method === 'DELETE' && r.headers['mcp-session-id'] === sid));
    await eventually(() => seed.sessions() === open - 1, 5000, 'session gone upstream');
    assert.equal((await rpc.request('ping')).upstreamCode, 'UPSTREAM_CLOSED');
  });

  it('answers an HTTP error with a JSON-RPC error naming the target', async (t) => {
    const broken = await rawServer((_req, res) => void res.writeHead(500).end('stack trace here'));
    t.after(() => broken.close());
    const up = factory.create(mcp('mcp2', broken.url), { logger: quiet });
    t.after(() => up.close());
    const r = await new Driver(up).request('tools/list');
    assert.equal(r.error?.message, 'target "mcp2" failed: HTTP 500 Internal Server Error');
    assert.equal(r.error?.code, -32603);
    assert.equal(r.upstreamCode, 'UPSTREAM_HTTP_STATUS');
  });

  it('passes through a JSON-RPC error the upstream sent with an error status', async (t) => {
    const srv = await rawServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const { id } = JSON.parse(body) as { id: number };
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32602, message: 'bad params' } }));
      });
    });
    t.after(() => srv.close());
    const up = factory.create(mcp('strict', srv.url), { logger: quiet });
    t.after(() => up.close());
    const r = await new Driver(up).request('tools/call', { name: 'x' });
    assert.deepEqual(r.error, { code: -32602, message: 'bad params' });
  });

  it('answers connection refused with a JSON-RPC error naming the target', async (t) => {
    const port = await freePort();
    const up = factory.create(mcp('mcp2', `http://127.0.0.1:${port}/mcp`), { logger: quiet });
    t.after(() => up.close());
    const r = await new Driver(up).request('initialize', { protocolVersion: '2025-06-18', capabilities: {} });
    assert.equal(r.error?.message, 'target "mcp2" failed: connection refused');
    assert.equal(r.upstreamCode, 'UPSTREAM_CONNECT_REFUSED');
    await assert.rejects(new Driver(up).notify('notifications/initialized'), {
      code: 'UPSTREAM_CONNECT_REFUSED',
    });
  });

  it('gives up after the request timeout when the upstream does not answer', async (t) => {
    const silent = await rawServer(() => undefined);
    t.after(() => silent.close());
    const up = factory.create(mcp('slow', silent.url, { requestTimeoutMs: 300 }), { logger: quiet });
    t.after(() => up.close());
    const r = await new Driver(up).request('tools/list');
    assert.equal(r.error?.message, 'target "slow" failed: no response within 300 ms');
    assert.equal(r.upstreamCode, 'UPSTREAM_TIMEOUT');
  });

  it('a request in flight when the upstream process dies fails at once', async (t) => {
    const flaky = await spawnFixture('flaky-server.ts');
    t.after(() => flaky.close());
    const up = factory.create(mcp('flaky', flaky.url, { requestTimeoutMs: 60_000 }), { logger: quiet });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await rpc.initialize();
    const r = await rpc.request('tools/call', { name: 'die', arguments: { code: 1 } });
    assert.match(
      r.error!.message,
      /^target "flaky" failed: (connection reset|the upstream closed the response stream|stream resumption failed: connection refused)/,
    );
    const next = await rpc.request('tools/list');
    assert.equal(next.error?.message, 'target "flaky" failed: connection refused');
  });

  it('reuses keep-alive connections across upstreams of the same origin', async (t) => {
    const headers = await startHeadersServer();
    t.after(() => headers.close());
    const own = createUpstreamFactory({ telemetry: recordingTelemetry() });
    t.after(() => own.close());
    for (let i = 0; i < 3; i++) {
      const up = own.create(mcp('hdr', headers.url), { logger: quiet });
      const rpc = new Driver(up);
      await rpc.initialize();
      await rpc.call('tools/list');
      await up.close();
    }
    assert.ok(headers.requests.length >= 12);
    assert.ok(
      headers.connections() <= 2,
      `${headers.connections()} connections for ${headers.requests.length} requests`,
    );
  });
});
