/**
 * OTLP over gRPC — agentgateway's default when `otlpProtocol` is absent — through the real gateway: a
 * real gRPC OTLP receiver (@grpc/grpc-js), a real MCP server behind the gateway, the official MCP
 * client in front. Both of agentgateway's forms: `config.tracing` and `frontendPolicies.tracing`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHeadersServer } from '../fixtures/headers-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';
import { startOtlpGrpcReceiver } from '../helpers/otlp-grpc-receiver.js';
import type { ReceivedSpan } from '../helpers/otlp-receiver.js';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

const route = (url: string) => `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: headers
            mcp: {host: "${url}"}
`;

const serverSpanOf = (spans: readonly ReceivedSpan[], method: string): ReceivedSpan | undefined =>
  spans.find((s) => s.kind === 2 && s.attributes['mcp.method'] === method);

test('config.tracing without otlpProtocol exports over gRPC, with the documented span attributes and fields', async (t) => {
  const receiver = await startOtlpGrpcReceiver();
  t.after(() => receiver.close());
  const upstream = await startHeadersServer();
  t.after(() => upstream.close());
  const gw = await startGateway(
    `config:
  tracing:
    otlpEndpoint: ${receiver.url}
    headers: {x-collector-key: k1}
    randomSampling: true
    fields:
      add:
        caller: source.address
        tool: 'has(mcp.tool) ? mcp.tool.name : ""'
      remove: [http.host]
${route(upstream.url)}`,
    { name: 'otlp-grpc' },
  );
  let stopped = false;
  t.after(() => (stopped ? undefined : gw.stop()));

  const client = await connect(`${gw.url}/mcp`);
  await client.callTool({ name: 'get_headers', arguments: {} });
  await client.close();
  await gw.stop(); // flushes the exporter
  stopped = true;
  await receiver.waitFor((s) => serverSpanOf(s, 'tools/call') !== undefined);

  const call = serverSpanOf(receiver.spans, 'tools/call')!;
  assert.equal(call.name, 'POST /mcp');
  assert.equal(call.attributes['http.response.status_code'], 200);
  assert.equal(call.attributes['http.method'], 'POST');
  assert.equal(call.attributes['http.path'], '/mcp');
  assert.equal(call.attributes['mcp.target'], 'headers');
  assert.equal(call.attributes['mcp.resource.type'], 'tool');
  assert.equal(call.attributes['mcp.resource.name'], 'get_headers');
  assert.match(String(call.attributes['src.addr']), /^127\.0\.0\.1:\d+$/, 'IPv4 callers in plain form');
  assert.equal(call.attributes['http.host'], undefined, 'fields.remove');
  assert.equal(call.attributes['caller'], '127.0.0.1', 'fields.add');
  assert.equal(call.attributes['tool'], 'get_headers');
  assert.equal(call.resource['service.name'], 'portcullis');
  const upstreamSpan = receiver.spans.find((s) => s.kind === 3 && s.parentSpanId === call.spanId);
  assert.ok(
    upstreamSpan,
    `an upstream client span under the request span: ${receiver.spans.map((s) => s.name).join(', ')}`,
  );
  assert.equal(upstreamSpan.traceId, call.traceId);
  assert.ok(
    receiver.metadata.every((m) => m.get('x-collector-key')[0] === 'k1'),
    'config.tracing.headers travel as gRPC metadata',
  );
});

test('frontendPolicies.tracing: host over gRPC, no random sampling by default, client sampling on, attributes and resources', async (t) => {
  const receiver = await startOtlpGrpcReceiver();
  t.after(() => receiver.close());
  const upstream = await startHeadersServer();
  t.after(() => upstream.close());
  const gw = await startGateway(
    `frontendPolicies:
  tracing:
    host: ${receiver.url.replace('http://', '')}
    attributes:
      environment: '"production"'
      route: request.path
    resources:
      service.name: '"agentgateway"'
${route(upstream.url)}`,
    { name: 'otlp-grpc-frontend' },
  );
  let stopped = false;
  t.after(() => (stopped ? undefined : gw.stop()));

  // Without a traceparent: randomSampling is off by default — nothing is traced.
  const anonymous = await connect(`${gw.url}/mcp`);
  await anonymous.callTool({ name: 'get_headers', arguments: {} });
  await anonymous.close();
  // With one: clientSampling is on by default — the caller's trace continues.
  const traced = await connect(`${gw.url}/mcp`, {
    headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
  });
  await traced.callTool({ name: 'get_headers', arguments: {} });
  await traced.close();
  await gw.stop();
  stopped = true;
  await receiver.waitFor((s) => serverSpanOf(s, 'tools/call') !== undefined);

  assert.ok(receiver.spans.length > 0);
  assert.ok(
    receiver.spans.every((s) => s.traceId === CALLER_TRACE),
    `only the caller's trace is exported: ${receiver.spans.map((s) => s.traceId).join(', ')}`,
  );
  const call = serverSpanOf(receiver.spans, 'tools/call')!;
  assert.equal(call.parentSpanId, CALLER_SPAN);
  assert.equal(call.attributes['environment'], 'production');
  assert.equal(call.attributes['route'], '/mcp');
  assert.equal(call.resource['service.name'], 'agentgateway');
});
