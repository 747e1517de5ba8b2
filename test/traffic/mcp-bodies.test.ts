/**
 * Bodies on MCP routes: `transformations` rewriting the JSON-RPC request and response (CEL) through the
 * official MCP SDK client; transformations that produce something that is not JSON-RPC; `requestMirror`
 * copying the POSTed JSON-RPC message to a second server that records it; and the bounds (a mirror that
 * never answers, a body over config.limits.bufferedBodyBytes).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

function echoServer(): McpServer {
  const mcp = new McpServer({ name: 'echo', version: '1.0.0' });
  mcp.registerTool('echo', { inputSchema: { message: z.string() } }, async ({ message }) => ({
    content: [{ type: 'text', text: message }],
  }));
  return mcp;
}

interface Recorder {
  readonly host: string;
  readonly seen: { method: string; url: string; body: string }[];
  close(): void;
}

/** An HTTP server that records each request with its body and answers 204. */
async function startRecorder(): Promise<Recorder> {
  const seen: Recorder['seen'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function metric(gw: TestGateway, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${gw.statsUrl}/metrics`)).text();
  const m = pattern.exec(text);
  return m ? Number(m[1]) : 0;
}

// The request side rewrites a tools/call's arguments; the response side wraps a tool result's text.
const REQUEST_BODY = `'body.method == "tools/call" ? {"jsonrpc": "2.0", "id": body.id, "method": "tools/call", "params": {"name": body.params.name, "arguments": {"message": "[gw] " + body.params.arguments.message}}} : body'`;
const RESPONSE_BODY = `'has(body.result) && has(body.result.content) ? {"jsonrpc": "2.0", "id": body.id, "result": {"content": [{"type": "text", "text": "wrapped: " + body.result.content[0].text}]}} : body'`;

describe('bodies on MCP routes', () => {
  let upstream: ServedFixture;
  let mirror: Recorder;
  let black: Server;
  let gw: TestGateway;
  before(async () => {
    upstream = await serveHttp(echoServer);
    mirror = await startRecorder();
    // Accepts connections and never answers.
    black = createServer(() => {});
    await new Promise<void>((r) => black.listen(0, '127.0.0.1', r));
    const blackHost = `127.0.0.1:${(black.address() as { port: number }).port}`;
    const backend = `      backends:
      - mcp:
          targets:
          - name: e
            mcp:
              host: ${upstream.url}
`;
    gw = await startGateway(
      `config:
  limits:
    bufferedBodyBytes: 65536
    mirrorRequestsInFlight: 2
    mirrorTimeout: 300ms
binds:
- port: 0
  listeners:
  - routes:
    - name: transformed
      matches: [{path: {pathPrefix: /t}}]
      policies:
        transformations:
          request:
            body: ${REQUEST_BODY}
          response:
            body: ${RESPONSE_BODY}
        requestMirror: {backend: {host: ${mirror.host}}, percentage: 1.0}
${backend}
    - name: bad-response
      matches: [{path: {pathPrefix: /badres}}]
      policies:
        transformations:
          response:
            body: 'has(body.result) && has(body.result.content) ? {"jsonrpc": "2.0", "id": "someone-else", "result": {}} : body'
${backend}
    - name: bad-request
      matches: [{path: {pathPrefix: /badreq}}]
      policies:
        transformations:
          request:
            body: 'body.method == "tools/call" ? "this is not JSON" : body'
${backend}
    - name: blackhole
      matches: [{path: {pathPrefix: /hole}}]
      policies:
        requestMirror: {backend: {host: ${blackHost}}, percentage: 1.0}
${backend}`,
      { name: 'mcp-bodies' },
    );
  });
  after(async () => {
    await gw.stop();
    black.closeAllConnections();
    black.close();
    mirror.close();
    await upstream.close();
  });

  test('request and response bodies of an MCP call are transformed by CEL; the mirror records the transformed JSON-RPC message', async () => {
    const client = await connect(`${gw.url}/t/mcp`);
    const r = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    // The upstream got "[gw] hello"; the client gets that text wrapped by the response transformation.
    assert.deepEqual(r.content, [{ type: 'text', text: 'wrapped: [gw] hello' }]);
    // Messages without a tool result pass unchanged (initialize and tools/list worked).
    assert.deepEqual(
      (await client.listTools()).tools.map((t) => t.name),
      ['echo'],
    );
    await client.close();
    const copy = await eventually(() =>
      mirror.seen.find((s) => s.method === 'POST' && s.body.includes('"tools/call"')),
    );
    assert.equal(copy.url, '/t/mcp');
    const m = JSON.parse(copy.body) as { params: { arguments: { message: string } } };
    assert.equal(m.params.arguments.message, '[gw] hello');
    // The config loads without a warning that body transformations would not apply here.
    assert.ok(!gw.logs.some((l) => /transformations apply to host backends only/.test(JSON.stringify(l))));
  });

  test('a response transformation that no longer answers the request becomes a JSON-RPC error for that request', async () => {
    const before = await metric(gw, /^portcullis_transformation_errors_total (\d+)/m);
    const client = await connect(`${gw.url}/badres/mcp`);
    await assert.rejects(client.callTool({ name: 'echo', arguments: { message: 'x' } }), (e: Error) => {
      assert.match(e.message, /response transformation produced an invalid JSON-RPC response/);
      assert.equal((e as { code?: number }).code, -32603);
      return true;
    });
    // The session is intact.
    assert.equal((await client.listTools()).tools.length, 1);
    await client.close();
    assert.ok((await metric(gw, /^portcullis_transformation_errors_total (\d+)/m)) > before);
  });

  test('a request transformation that produces something that is not JSON-RPC is answered with a JSON-RPC parse error', async () => {
    const client = await connect(`${gw.url}/badreq/mcp`);
    await assert.rejects(client.callTool({ name: 'echo', arguments: { message: 'x' } }), /-32700/);
    assert.equal((await client.listTools()).tools.length, 1);
    await client.close();
  });

  test('hostile: a mirror that never answers does not slow MCP calls; copies beyond the bound are dropped; a body over bufferedBodyBytes is 413', async () => {
    const dropped = await metric(gw, /^portcullis_mirror_requests_total\{result="dropped"\} (\d+)/m);
    const client = await connect(`${gw.url}/hole/mcp`);
    const calls = await Promise.all(
      Array.from({ length: 6 }, (_, i) => client.callTool({ name: 'echo', arguments: { message: `m${i}` } })),
    );
    assert.equal(calls.length, 6);
    await client.close();
    assert.ok((await metric(gw, /^portcullis_mirror_requests_total\{result="dropped"\} (\d+)/m)) > dropped);
    await eventually(async () => (await metric(gw, /^portcullis_mirror_requests_in_flight (\d+)/m)) === 0);

    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'x'.repeat(100_000) } },
    });
    const res = await fetch(`${gw.url}/t/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: big,
    });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: { code: number } }).error.code, -32600);
  });
});
