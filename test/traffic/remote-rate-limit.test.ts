/**
 * remoteRateLimit through the running gateway: a real Envoy rate-limit service v3 gRPC server started
 * here, an MCP server behind the gateway.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHeadersServer } from '../fixtures/headers-server.js';
import type { ServedFixture } from '../fixtures/serve.js';
import {
  deadHost,
  startRateLimitServer,
  type FakeGrpcService,
  type RlsRequestSeen,
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

const OK = {
  overall_code: 'OK',
  statuses: [
    {
      code: 'OK',
      current_limit: { requests_per_unit: 10, unit: 'MINUTE' },
      limit_remaining: 7,
      duration_until_reset: { seconds: 42 },
    },
    {
      code: 'OK',
      current_limit: { requests_per_unit: 100, unit: 'HOUR' },
      limit_remaining: 90,
      duration_until_reset: { seconds: 3000 },
    },
  ],
};
const OVER = {
  overall_code: 'OVER_LIMIT',
  statuses: [
    {
      code: 'OVER_LIMIT',
      current_limit: { requests_per_unit: 10, unit: 'MINUTE' },
      limit_remaining: 0,
      duration_until_reset: { seconds: 30 },
    },
  ],
  response_headers_to_add: [{ key: 'x-limited-by', value: 'rls' }],
};

function yaml(host: string, upstream: string, extra = ''): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        remoteRateLimit:
          host: ${host}
          domain: mcp-gw
          descriptors:
          - entries:
            - key: user
              value: 'request.headers["x-user"]'
          - entries:
            - key: subject
              value: 'jwt.sub'
          - entries:
            - key: route
              value: '"all"'
            cost: '2'
${extra}
      backends:
      - mcp:
          targets:
          - name: h
            mcp:
              host: ${upstream}
`;
}

describe('remoteRateLimit', () => {
  let upstream: ServedFixture;
  let rls: FakeGrpcService<RlsRequestSeen, unknown>;
  const gateways: TestGateway[] = [];
  before(async () => {
    upstream = await startHeadersServer();
    rls = await startRateLimitServer(() => OK);
  });
  after(async () => {
    for (const g of gateways) await g.stop();
    await rls.close();
    await upstream.close();
  });
  const boot = async (host: string, extra = ''): Promise<TestGateway> => {
    const g = await startGateway(yaml(host, upstream.url, extra), { name: 'remote-rate-limit' });
    gateways.push(g);
    return g;
  };

  test('descriptors are built from CEL (failing ones skipped); x-ratelimit-* headers on allowed responses', async () => {
    const gw = await boot(rls.host);
    rls.handler = () => OK;
    const n = rls.calls.length;
    const res = await post(gw.url, { 'x-user': 'alice' });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const call = rls.calls[n]!;
    assert.equal(call.domain, 'mcp-gw');
    // `jwt.sub` fails without a token: that descriptor is skipped, the others are sent.
    assert.deepEqual(
      call.descriptors.map((d) => [
        d.entries.map((e) => `${e.key}=${e.value}`).join(','),
        d.hits_addend?.value,
      ]),
      [
        ['user=alice', 1],
        ['route=all', 2],
      ],
    );
    // The most constrained status sets the headers.
    assert.equal(res.headers.get('x-ratelimit-limit'), '10');
    assert.equal(res.headers.get('x-ratelimit-remaining'), '7');
    assert.equal(res.headers.get('x-ratelimit-reset'), '42');
    await eventually(() => gw.logs.find((l) => l['ratelimit.remote'] === 'ok'));
  });

  test('OVER_LIMIT: 429 with the service’s headers and x-ratelimit-*; an MCP client sees the error', async () => {
    const gw = await boot(rls.host);
    rls.handler = () => OVER;
    const res = await post(gw.url, { 'x-user': 'bob' });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('x-limited-by'), 'rls');
    assert.equal(res.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(res.headers.get('x-ratelimit-reset'), '30');
    assert.equal(res.headers.get('retry-after'), '30');
    const body = (await res.json()) as { error: { message: string } };
    assert.equal(body.error.message, 'rate limit exceeded');
    await assert.rejects(connect(`${gw.url}/mcp`));
    rls.handler = () => OK;
  });

  test('service down: failClosed answers 500 `rate limit failed`, failOpen lets requests through', async () => {
    const dead = await deadHost();
    const closed = await boot(dead);
    const r1 = await post(closed.url);
    assert.equal(r1.status, 500);
    assert.equal(((await r1.json()) as { error: { message: string } }).error.message, 'rate limit failed');
    const open = await boot(dead, '          failureMode: failOpen');
    const client = await connect(`${open.url}/mcp`);
    assert.ok((await client.listTools()).tools.length > 0);
    await client.close();
  });

  test('timeout: a service slower than `timeout` counts as down', async () => {
    const gw = await boot(rls.host, '          timeout: 100ms');
    const release: (() => void)[] = [];
    rls.handler = () => new Promise((r) => release.push(() => r(OK)));
    const res = await post(gw.url);
    assert.equal(res.status, 500);
    await res.body?.cancel();
    for (const r of release) r();
    rls.handler = () => OK;
  });

  test('hostile: a huge header value is cut before it reaches the service; the gateway keeps serving', async () => {
    const gw = await boot(rls.host);
    rls.handler = () => OK;
    const n = rls.calls.length;
    const res = await post(gw.url, { 'x-user': 'x'.repeat(12_000) });
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal(rls.calls[n]!.descriptors[0]!.entries[0]!.value.length, 1024);
  });
});
