/**
 * extAuthz through the running gateway: a real Envoy ext_authz v3 gRPC server (and an HTTP one)
 * started here, an MCP server behind the gateway, the official MCP SDK client.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startHeadersServer } from '../fixtures/headers-server.js';
import type { ServedFixture } from '../fixtures/serve.js';
import {
  deadHost,
  startAuthzServer,
  type CheckRequestSeen,
  type FakeGrpcService,
} from '../helpers/envoy-services.js';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});
const post = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: INIT,
  });

function yaml(extAuthz: string, upstream: string): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        extAuthz:
${extAuthz}
      backends:
      - mcp:
          targets:
          - name: h
            mcp:
              host: ${upstream}
`;
}

const ALLOW = {
  status: { code: 0 },
  ok_response: {
    headers: [{ header: { key: 'x-authz-user', value: 'alice' } }],
    response_headers_to_add: [{ header: { key: 'x-authz-said', value: 'yes' } }],
  },
};

describe('extAuthz over gRPC', () => {
  let upstream: ServedFixture;
  let authz: FakeGrpcService<CheckRequestSeen, unknown>;
  const gateways: TestGateway[] = [];
  before(async () => {
    upstream = await startHeadersServer();
    authz = await startAuthzServer(() => ALLOW);
  });
  after(async () => {
    for (const g of gateways) await g.stop();
    await authz.close();
    await upstream.close();
  });
  const boot = async (body: string): Promise<TestGateway> => {
    const g = await startGateway(yaml(body, upstream.url), { name: 'ext-authz' });
    gateways.push(g);
    return g;
  };

  test('allow: the check carries the request attributes; ok_response headers reach the upstream and the client', async () => {
    const gw = await boot(`          host: ${authz.host}
          protocol:
            grpc:
              context: {team: blue}`);
    authz.handler = () => ALLOW;
    const before = authz.calls.length;
    const client = await connect(`${gw.url}/mcp`, { headers: { 'x-caller': 'c1' } });
    const r = (await client.callTool({ name: 'get_headers', arguments: {} })) as unknown as {
      structuredContent: { headers: Record<string, string> };
    };
    assert.equal(r.structuredContent.headers['x-authz-user'], 'alice');
    await client.close();
    const seen = authz.calls[before]!.attributes;
    assert.equal(seen.request?.http?.method, 'POST');
    assert.equal(seen.request?.http?.path, '/mcp');
    assert.equal(seen.request?.http?.headers?.[':method'], 'POST');
    assert.equal(seen.request?.http?.headers?.['x-caller'], 'c1');
    assert.match(seen.source?.address?.socket_address?.address ?? '', /127\.0\.0\.1$/);
    assert.deepEqual(seen.context_extensions, { team: 'blue' });
    const res = await post(gw.url);
    assert.equal(res.headers.get('x-authz-said'), 'yes');
    await res.body?.cancel();
    const line = await eventually(() => gw.logs.find((l) => l['extauthz.decision'] === 'allow'));
    assert.equal(line['extauthz.decision'], 'allow');
  });

  test('deny on an MCP route: the service’s status and headers, a JSON-RPC error body; the upstream is not called', async () => {
    const gw = await boot(`          host: ${authz.host}`);
    authz.handler = () => ({
      status: { code: 7 },
      denied_response: {
        status: { code: 401 },
        headers: [{ header: { key: 'x-deny-reason', value: 'no badge' } }],
        body: 'go away',
      },
    });
    const count = upstream.requests.length;
    const res = await post(gw.url);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('x-deny-reason'), 'no badge');
    assert.equal(res.headers.get('content-type'), 'application/json');
    // The service's body is not relayed on a JSON-RPC route (it may name the tool or the service's internals).
    assert.deepEqual(await res.json(), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32003, message: 'external authorization failed' },
    });
    assert.equal(upstream.requests.length, count);
    // A denial without a denied_response: 403 and agentgateway's message.
    authz.handler = () => ({ status: { code: 7 } });
    const r2 = await post(gw.url);
    assert.equal(r2.status, 403);
    assert.match(await r2.text(), /"code":-32003,"message":"external authorization failed"/);
    await eventually(() => gw.logs.find((l) => l['extauthz.decision'] === 'deny'));
  });

  test('explain names the extAuthz service as a request-time decision', async () => {
    const gw = await boot(`          host: ${authz.host}`);
    const r = (await (await fetch(`${gw.adminUrl}/api/explain`)).json()) as {
      external?: { route: string; line: string }[];
    };
    assert.equal(r.external?.length, 1);
    assert.match(
      r.external![0]!.line,
      /^extAuthz: gRPC 127\.0\.0\.1:\d+ .*failureMode deny, timeout 2000ms$/,
    );
  });

  test('service down: failureMode deny answers 403, denyWithStatus its status, allow lets the request through', async () => {
    const dead = await deadHost();
    const deny = await boot(`          host: ${dead}`);
    const r1 = await post(deny.url);
    assert.equal(r1.status, 403);
    assert.equal(
      (await r1.text()).trim(),
      '{"jsonrpc":"2.0","id":null,"error":{"code":-32003,"message":"external authorization failed"}}',
    );
    const custom = await boot(`          host: ${dead}
          failureMode: {denyWithStatus: 503}`);
    const r2 = await post(custom.url);
    assert.equal(r2.status, 503);
    await r2.body?.cancel();
    const open = await boot(`          host: ${dead}
          failureMode: allow`);
    const client = await connect(`${open.url}/mcp`);
    assert.ok((await client.listTools()).tools.length > 0);
    await client.close();
    await eventually(() => open.logs.find((l) => l['extauthz.decision'] === 'error-allow'));
  });

  test('timeout: a slow service is abandoned after `timeout`; concurrent requests are all answered', async () => {
    const gw = await boot(`          host: ${authz.host}
          timeout: 150ms`);
    const pending: (() => void)[] = [];
    authz.handler = () => new Promise((resolve) => pending.push(() => resolve(ALLOW)));
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(gw.url)));
    for (const r of answers) {
      assert.equal(r.status, 403);
      await r.body?.cancel();
    }
    for (const p of pending) p();
    // Still serving: the service answers again.
    authz.handler = () => ALLOW;
    const ok = await post(gw.url);
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  });
});

describe('extAuthz over HTTP', () => {
  let upstream: ServedFixture;
  let svc: Server;
  let host = '';
  const seen: { method?: string; url?: string; headers: Record<string, unknown> }[] = [];
  let gw: TestGateway;
  before(async () => {
    upstream = await startHeadersServer();
    svc = createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers });
      if (req.headers.authorization === 'Bearer good') {
        res.writeHead(200, { 'x-user': 'bob' });
        res.end();
      } else {
        res.writeHead(403, { 'content-type': 'text/plain', 'x-why': 'bad token' });
        res.end('forbidden by policy');
      }
    });
    await new Promise<void>((r) => svc.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(svc.address() as { port: number }).port}`;
    gw = await startGateway(
      yaml(
        `          host: ${host}
          protocol:
            http:
              path: '"/check" + request.path'
              includeResponseHeaders: [x-user]`,
        upstream.url,
      ),
      { name: 'ext-authz-http' },
    );
  });
  after(async () => {
    await gw.stop();
    svc.close();
    await upstream.close();
  });

  test('allow copies includeResponseHeaders upstream; only Authorization is sent by default', async () => {
    const client = await connect(`${gw.url}/mcp`, { token: 'good', headers: { 'x-secret': 's' } });
    const r = (await client.callTool({ name: 'get_headers', arguments: {} })) as unknown as {
      structuredContent: { headers: Record<string, string> };
    };
    assert.equal(r.structuredContent.headers['x-user'], 'bob');
    await client.close();
    const last = seen.at(-1)!;
    assert.equal(last.url, '/check/mcp');
    assert.equal(last.headers['authorization'], 'Bearer good');
    assert.equal(last.headers['x-secret'], undefined);
  });

  test('deny on an MCP route: the service’s status and headers, a JSON-RPC error instead of its body', async () => {
    const res = await post(gw.url, { authorization: 'Bearer bad' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-why'), 'bad token');
    const text = await res.text();
    assert.doesNotMatch(text, /forbidden by policy/);
    assert.equal((JSON.parse(text) as { error: { code: number } }).error.code, -32003);
  });

  test('deny on a host route returns the service’s answer as is', async () => {
    const plain = createServer((_req, res) => res.end('backend'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const g = await startGateway(
      `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        extAuthz:
          host: ${host}
          protocol: {http: {}}
      backends:
      - host: 127.0.0.1:${(plain.address() as { port: number }).port}
`,
      { name: 'ext-authz-http-host' },
    );
    try {
      const res = await fetch(`${g.url}/x`, { headers: { authorization: 'Bearer bad' } });
      assert.equal(res.status, 403);
      assert.equal(res.headers.get('x-why'), 'bad token');
      assert.equal(await res.text(), 'forbidden by policy');
      const ok = await fetch(`${g.url}/x`, { headers: { authorization: 'Bearer good' } });
      assert.equal(await ok.text(), 'backend');
    } finally {
      await g.stop();
      plain.close();
    }
  });
});
