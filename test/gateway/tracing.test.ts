/**
 * Tracing through the real gateway: spans exported over OTLP/HTTP protobuf to a real receiver;
 * the incoming traceparent is honoured; authentication, authorization and each upstream call are child
 * spans; the upstream receives a traceparent naming the upstream-call span.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startHeadersServer } from '../fixtures/headers-server.js';
import { startGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';

const fixture = (n: string) => resolve('test/fixtures/seed-jwt', n);
const TOKEN = readFileSync(fixture('example1.key'), 'utf8').trim();
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';

test('span tree and propagation: client traceparent → gateway spans → upstream traceparent', async (t) => {
  const receiver = await startOtlpReceiver();
  t.after(() => receiver.close());
  const upstream = await startHeadersServer();
  t.after(() => upstream.close());
  const gw = await startGateway(
    `config:
  tracing:
    otlpEndpoint: ${receiver.url}
    otlpProtocol: http
    randomSampling: true
binds:
- port: 0
  listeners:
  - routes:
    - policies:
        jwtAuth:
          issuer: agentgateway.dev
          audiences: [test.agentgateway.dev]
          jwks: {file: ${fixture('pub-key')}}
        authorization:
          rules: ['jwt.sub == "test-user"']
        mcpAuthorization:
          rules: ['mcp.tool.name == "get_headers"']
      backends:
      - mcp:
          targets:
          - name: headers
            mcp: {host: "${upstream.url}"}
`,
    { name: 'tracing' },
  );
  let stopped = false;
  t.after(() => (stopped ? undefined : gw.stop()));

  const client = await connect(`${gw.url}/mcp`, {
    token: TOKEN,
    headers: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01` },
  });
  const r = await client.callTool({ name: 'get_headers', arguments: {} });
  await client.close();
  const seen = (r.structuredContent as { headers: Record<string, string> }).headers;
  await gw.stop(); // flushes the exporter
  stopped = true;

  const spans = receiver.spans.filter((s) => s.traceId === TRACE_ID);
  assert.ok(spans.length > 0, 'spans of the incoming trace were exported');
  const servers = spans.filter((s) => s.kind === 2);
  assert.ok(servers.length >= 3, 'one server span per HTTP request (initialize, initialized, tools/call…)');
  for (const s of servers) assert.equal(s.parentSpanId, PARENT_SPAN, 'server spans continue the caller span');

  // The tools/call request: its server span has authentication, authorization and an upstream client span.
  const upstreamCall = spans.find((s) => s.kind === 3 && /tools\/call/.test(s.name));
  assert.ok(upstreamCall, `an upstream client span: ${spans.map((s) => s.name).join(', ')}`);
  const server = servers.find((s) => s.spanId === upstreamCall.parentSpanId);
  assert.ok(server, 'the upstream span is a child of a request span');
  const children = spans.filter((s) => s.parentSpanId === server.spanId).map((s) => s.name);
  assert.ok(children.includes('authentication'), children.join(', '));
  assert.ok(children.includes('authorization'), children.join(', '));

  // The upstream saw a traceparent of the same trace whose parent is the upstream-call span.
  const tp = seen['traceparent'];
  assert.ok(tp, 'traceparent reached the upstream');
  const [, traceId, spanId] = tp.split('-');
  assert.equal(traceId, TRACE_ID);
  assert.equal(spanId, upstreamCall.spanId);
});

test('tracing off: no traceparent is invented for the upstream', async (t) => {
  const upstream = await startHeadersServer();
  t.after(() => upstream.close());
  const gw = await startGateway(
    `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: headers
            mcp: {host: "${upstream.url}"}
`,
    { name: 'tracing-off' },
  );
  t.after(() => gw.stop());
  const client = await connect(`${gw.url}/mcp`);
  const r = await client.callTool({ name: 'get_headers', arguments: {} });
  await client.close();
  const seen = (r.structuredContent as { headers: Record<string, string> }).headers;
  assert.equal(seen['traceparent'], undefined);
});
