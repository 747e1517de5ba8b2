/**
 * extAuthz on MCP routes: what a real ext_authz service (gRPC and HTTP, started here) sees of an MCP
 * call — the session header and, with includeRequestBody, the JSON-RPC message — and how a per-call
 * denial reaches the official MCP SDK client (a JSON-RPC error, the session goes on). includeRequestBody
 * bounds: under and over maxRequestBytes, partial bodies, packAsBytes, and a huge body.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { findIssue, loadError } from '../config/helpers.js';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { startAuthzServer, type CheckRequestSeen, type FakeGrpcService } from '../helpers/envoy-services.js';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

/** What the tests read of the body fields of a check (proto-loader object form). */
interface BodySeen {
  body?: string;
  raw_body?: Buffer;
  size?: number;
  headers?: Record<string, string>;
}
const httpOf = (c: CheckRequestSeen) => c.attributes.request?.http as BodySeen;

function echoServer(): McpServer {
  const mcp = new McpServer({ name: 'echo', version: '1.0.0' });
  for (const name of ['echo', 'blocked']) {
    mcp.registerTool(name, { inputSchema: { message: z.string() } }, async ({ message }) => ({
      content: [{ type: 'text', text: message }],
    }));
  }
  return mcp;
}

function yaml(extAuthz: string, upstream: string, limits = ''): string {
  return `${limits}binds:
- port: 0
  listeners:
  - routes:
    - policies:
        extAuthz:
${extAuthz}
      backends:
      - mcp:
          targets:
          - name: e
            mcp:
              host: ${upstream}
`;
}

/** A tools/call POSTed without a session: extAuthz answers before the MCP transport looks at it. */
const rawCall = (url: string, id: number, body?: string) =>
  fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body:
      body ??
      JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: 'blocked', arguments: { message: 'x' } },
      }),
  });

/** The JSON-RPC message of a check's body, if it is one. */
function messageOf(text: string | undefined): { method?: string; params?: { name?: string } } {
  try {
    return JSON.parse(text ?? '') as { method?: string; params?: { name?: string } };
  } catch {
    return {};
  }
}

describe('extAuthz over gRPC on an MCP route, with includeRequestBody', () => {
  let upstream: ServedFixture;
  let authz: FakeGrpcService<CheckRequestSeen, unknown>;
  const gateways: TestGateway[] = [];
  before(async () => {
    upstream = await serveHttp(echoServer);
    // Denies calls of the tool `blocked`, read from the JSON-RPC message in the body.
    authz = await startAuthzServer((req) => {
      const h = httpOf(req);
      const text = h.raw_body?.length ? h.raw_body.toString('utf8') : h.body;
      const m = messageOf(text);
      if (m.method === 'tools/call' && m.params?.name === 'blocked') {
        return {
          status: { code: 7 },
          denied_response: { status: { code: 403 }, body: 'internal rule 17: tool blocked for team red' },
        };
      }
      return { status: { code: 0 } };
    });
  });
  after(async () => {
    for (const g of gateways) await g.stop();
    await authz.close();
    await upstream.close();
  });
  const boot = async (extAuthz: string, limits = ''): Promise<TestGateway> => {
    const g = await startGateway(yaml(extAuthz, upstream.url, limits), { name: 'mcp-ext-authz' });
    gateways.push(g);
    return g;
  };

  test('the service sees the JSON-RPC message and the session; a denied tools/call is a JSON-RPC error and the session goes on', async () => {
    const gw = await boot(`          host: ${authz.host}
          includeRequestBody: {maxRequestBytes: 4096}`);
    const from = authz.calls.length;
    const client = await connect(`${gw.url}/mcp`);
    const ok = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    assert.deepEqual(ok.content, [{ type: 'text', text: 'hello' }]);

    const check = authz.calls.slice(from).find((c) => messageOf(httpOf(c).body).method === 'tools/call');
    assert.ok(check, 'a check carried the tools/call');
    const http = httpOf(check);
    assert.equal(messageOf(http.body).params?.name, 'echo');
    assert.equal(http.size, Buffer.byteLength(http.body!));
    const sessionId = (client.transport as { sessionId?: string }).sessionId;
    assert.ok(sessionId);
    assert.equal(http.headers?.['mcp-session-id'], sessionId);

    await assert.rejects(client.callTool({ name: 'blocked', arguments: { message: 'x' } }), (e: Error) => {
      assert.match(e.message, /-32003/);
      assert.match(e.message, /external authorization failed/);
      assert.doesNotMatch(e.message, /rule 17|team red/);
      return true;
    });
    // The denial was per call: the session still works.
    const again = await client.callTool({ name: 'echo', arguments: { message: 'still here' } });
    assert.deepEqual(again.content, [{ type: 'text', text: 'still here' }]);
    await client.close();

    // The error answers the request it denies (its id), with the service's status.
    const res = await rawCall(gw.url, 42);
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), {
      jsonrpc: '2.0',
      id: 42,
      error: { code: -32003, message: 'external authorization failed' },
    });
    const denied = await eventually(() => gw.logs.find((l) => l['extauthz.decision'] === 'deny'));
    assert.equal(denied['mcp.method'], 'tools/call');
    const explain = (await (await fetch(`${gw.adminUrl}/api/explain`)).json()) as {
      external?: { line: string }[];
    };
    assert.match(explain.external?.[0]?.line ?? '', /, request body up to 4096 bytes$/);
    // Only the two allowed calls reached the MCP server.
    assert.equal(upstream.requests.filter((r) => r.rpcMethod === 'tools/call').length, 2);
  });

  test('over maxRequestBytes: 413 as a JSON-RPC error, the service is not asked; allowPartialMessage sends the first bytes (size -1), packAsBytes as raw_body', async () => {
    const strict = await boot(`          host: ${authz.host}
          includeRequestBody: {maxRequestBytes: 64}`);
    const before = authz.calls.length;
    const r = await rawCall(strict.url, 5);
    assert.equal(r.status, 413);
    const body = (await r.json()) as { id: unknown; error: { code: number } };
    assert.equal(body.error.code, -32600);
    assert.equal(authz.calls.length, before);

    const partial = await boot(`          host: ${authz.host}
          includeRequestBody: {maxRequestBytes: 64, allowPartialMessage: true, packAsBytes: true}`);
    const client = await connect(`${partial.url}/mcp`);
    const n = authz.calls.length;
    await client.callTool({ name: 'echo', arguments: { message: 'a'.repeat(200) } });
    await client.close();
    const cut = authz.calls.slice(n).map(httpOf);
    const long = cut.find((h) => h.size === -1);
    assert.ok(long, 'a partial body is marked with size -1');
    assert.equal(long.raw_body?.length, 64);
    assert.equal(long.body, '');
    assert.match(long.raw_body!.toString('utf8'), /^\{"/);
  });

  test('hostile: a body far over the buffer bound is refused with 413 before the service is asked; the gateway keeps serving', async () => {
    const gw = await boot(
      `          host: ${authz.host}
          includeRequestBody: {maxRequestBytes: 1024, allowPartialMessage: true}`,
      `config:
  limits:
    bufferedBodyBytes: 65536
`,
    );
    const before = authz.calls.length;
    const huge = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: 'x'.repeat(4 * 1024 * 1024) } },
    });
    const r = await rawCall(gw.url, 1, huge).catch(() => undefined);
    // The gateway answers 413 (and closes), or the socket is cut while the client still sends.
    if (r) {
      assert.equal(r.status, 413);
      await r.body?.cancel();
    }
    assert.equal(authz.calls.length, before);
    const client = await connect(`${gw.url}/mcp`);
    const ok = await client.callTool({ name: 'echo', arguments: { message: 'fine' } });
    assert.deepEqual(ok.content, [{ type: 'text', text: 'fine' }]);
    await client.close();
  });
});

describe('extAuthz over HTTP on an MCP route, with includeRequestBody', () => {
  let upstream: ServedFixture;
  let svc: Server;
  let gw: TestGateway;
  const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
  before(async () => {
    upstream = await serveHttp(echoServer);
    svc = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ headers: req.headers, body });
        const m = messageOf(body);
        if (m.method === 'tools/call' && m.params?.name === 'blocked') {
          res.writeHead(403, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer scope="tools"' });
          res.end('tool blocked: internal policy 9');
        } else {
          res.writeHead(200);
          res.end();
        }
      });
    });
    await new Promise<void>((r) => svc.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(svc.address() as { port: number }).port}`;
    gw = await startGateway(
      yaml(
        `          host: ${host}
          protocol: {http: {}}
          includeRequestHeaders: [mcp-session-id]
          includeRequestBody: {maxRequestBytes: 8192}`,
        upstream.url,
      ),
      { name: 'mcp-ext-authz-http' },
    );
  });
  after(async () => {
    await gw.stop();
    svc.close();
    await upstream.close();
  });

  test('the check’s body is the JSON-RPC message; a denied call is a JSON-RPC error with the service’s status and challenge', async () => {
    const client = await connect(`${gw.url}/mcp`);
    await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    const call = seen.find((s) => messageOf(s.body).method === 'tools/call');
    assert.ok(call);
    assert.equal(messageOf(call.body).params?.name, 'echo');
    assert.equal(call.headers['x-envoy-auth-partial-body'], 'false');
    assert.equal(call.headers['mcp-session-id'], (client.transport as { sessionId?: string }).sessionId);
    await assert.rejects(
      client.callTool({ name: 'blocked', arguments: { message: 'x' } }),
      (e: Error) => /-32003/.test(e.message) && !/internal policy 9/.test(e.message),
    );
    await client.close();
    const res = await rawCall(gw.url, 9);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer scope="tools"');
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(((await res.json()) as { id: unknown }).id, 9);
  });
});

describe('extAuthz and requestMirror `backend:` references to top-level backends', () => {
  let upstream: ServedFixture;
  let authz: FakeGrpcService<CheckRequestSeen, unknown>;
  let mirror: Server;
  const mirrored: string[] = [];
  let gw: TestGateway;
  before(async () => {
    upstream = await serveHttp(echoServer);
    authz = await startAuthzServer(() => ({ status: { code: 0 } }));
    mirror = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        mirrored.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r));
    gw = await startGateway(
      `backends:
- name: authz
  host: ${authz.host}
- name: recorder
  host: 127.0.0.1:${(mirror.address() as { port: number }).port}
binds:
- port: 0
  listeners:
  - routes:
    - policies:
        extAuthz: {backend: authz}
        requestMirror: {backend: {backend: recorder}, percentage: 1.0}
      backends:
      - mcp:
          targets:
          - name: e
            mcp:
              host: ${upstream.url}
`,
      { name: 'mcp-ext-authz-backend-ref' },
    );
  });
  after(async () => {
    await gw.stop();
    mirror.closeAllConnections();
    mirror.close();
    await authz.close();
    await upstream.close();
  });

  test('the named backends’ hosts are the authorization service and the mirror', async () => {
    const before = authz.calls.length;
    const client = await connect(`${gw.url}/mcp`);
    await client.callTool({ name: 'echo', arguments: { message: 'ref' } });
    await client.close();
    assert.ok(authz.calls.length > before);
    await eventually(() => mirrored.find((b) => b.includes('"tools/call"')));
  });

  test('an unknown name or an mcp backend is a load error naming the field', () => {
    const cfg = (ref: string) => `backends:
- name: authz
  host: localhost:9191
- name: tools
  mcp:
    targets:
    - name: a
      mcp: {host: "http://localhost:3001/mcp"}
binds:
- port: 3000
  listeners:
  - routes:
    - policies:
        extAuthz: {backend: ${ref}}
      backends:
      - backend: tools
`;
    const unknown = findIssue(
      loadError(cfg('nope')),
      'binds[0].listeners[0].routes[0].policies.extAuthz.backend',
    );
    assert.match(unknown.message, /unknown backend "nope" \(known: authz, tools\)/);
    const notHost = findIssue(
      loadError(cfg('tools')),
      'binds[0].listeners[0].routes[0].policies.extAuthz.backend',
    );
    assert.match(notHost.message, /backend "tools" is not a `host` backend/);
    const both = loadError(cfg('authz').replace('{backend: authz}', '{backend: authz, host: "a:1"}'));
    assert.match(both.message, /set exactly one of `host` and `backend`/);
  });
});
