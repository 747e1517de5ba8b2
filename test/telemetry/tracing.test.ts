import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { Logger } from 'pino';
import type { BuildContext } from '../../src/contracts/build-context.js';
import {
  NOOP_TRACING,
  createTracing,
  tracesUrl,
  type SpanHandle,
  type TraceSubject,
  type TracingConfig,
} from '../../src/telemetry/tracing.js';
import { startOtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';

const TOKEN =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0ZXN0LXVzZXIiLCJpc3MiOiJhZ2VudGdhdGV3YXkuZGV2In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

function config(url: string, over: Partial<TracingConfig> = {}): TracingConfig {
  return {
    otlpEndpoint: url,
    protocol: 'http',
    headers: {},
    randomSampling: { ratio: 1 },
    clientSampling: { ratio: 1 },
    fieldsAdd: {},
    fieldsRemove: [],
    resources: {},
    filter: undefined,
    at: ['config', 'tracing'],
    ...over,
  };
}

/** A stand-in HTTP upstream that records the traceparent header it receives. */
async function startUpstream(): Promise<{
  url: string;
  seen: (string | undefined)[];
  close: () => Promise<void>;
}> {
  const seen: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.traceparent as string | undefined);
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const BUILD: BuildContext = {
  readFile: () => {
    throw new Error('no files');
  },
  error: (at, message) => new Error(`${at.join('.')}: ${message}`),
  locate: () => '',
  warn: () => {},
};

/** What the listener hands to tracing: the request and the caller (here without a token). */
function subject(path: string, headers: Record<string, string>): TraceSubject {
  return {
    identity: null,
    request: { method: 'GET', path, host: 'localhost', scheme: 'http', headers },
    source: { address: '::ffff:127.0.0.1', port: 40000 },
  };
}

const byName = (spans: readonly ReceivedSpan[], name: string): ReceivedSpan => {
  const s = spans.find((x) => x.name === name);
  assert.ok(s, `span ${name} not received (got ${spans.map((x) => x.name).join(', ')})`);
  return s;
};

describe('tracing', () => {
  it('is a no-op without an endpoint', async () => {
    assert.equal(await createTracing(undefined), NOOP_TRACING);
    assert.equal(await createTracing(config('')), NOOP_TRACING);
    const span = NOOP_TRACING.startRequestSpan(
      { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
      'POST /mcp',
    );
    assert.equal(span.traceparent, undefined);
    assert.equal(span.span, span);
    assert.equal(
      NOOP_TRACING.childSpan(span, 'authentication', (s) => s.traceparent ?? 'none'),
      'none',
    );
    span.end(200, {});
  });

  it('exports a request span with authentication, authorization and upstream children over OTLP/HTTP', async (t) => {
    const receiver = await startOtlpReceiver();
    const upstream = await startUpstream();
    t.after(() => Promise.all([receiver.close(), upstream.close()]));
    const tracing = await createTracing(config(receiver.url, { headers: { 'x-collector-key': 'k1' } }), {
      version: '9.9.9',
    });
    t.after(() => tracing.shutdown());

    const req = tracing.startRequestSpan({ host: 'localhost' }, 'POST /mcp');
    assert.match(req.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const who = tracing.childSpan(req.span, 'authentication', () => 'test-user');
    assert.equal(who, 'test-user');
    tracing.childSpan(req.span, 'authorization', (s) =>
      s.setAttributes({ 'authz.decision': 'allow', empty: '' }),
    );
    let propagated: string | undefined;
    const body = await tracing.childSpan(
      req.span,
      'upstream tools/call',
      async (s) => {
        propagated = s.traceparent;
        const res = await fetch(upstream.url, { headers: { traceparent: s.traceparent ?? '' } });
        return res.text();
      },
      { kind: 'client', attributes: { 'mcp.target': 'everything' } },
    );
    assert.equal(body, 'ok');
    req.end(200, {
      'mcp.method': 'tools/call',
      'mcp.resource.name': 'echo',
      'jwt.sub': 'test-user',
      route: 'r0',
    });
    req.end(500, {}); // idempotent

    await tracing.flush();
    await receiver.waitFor((s) => s.length >= 4);
    const spans = receiver.spans;
    assert.equal(spans.length, 4);
    const root = byName(spans, 'POST /mcp');
    assert.equal(root.parentSpanId, '');
    assert.equal(root.kind, 2);
    assert.equal(root.attributes['http.response.status_code'], 200);
    assert.equal(root.attributes['mcp.method'], 'tools/call');
    assert.equal(root.attributes['mcp.resource.name'], 'echo');
    assert.equal(root.statusCode, 0);
    assert.equal(root.resource['service.name'], 'portcullis');
    assert.equal(root.resource['service.version'], '9.9.9');
    for (const name of ['authentication', 'authorization', 'upstream tools/call']) {
      const child = byName(spans, name);
      assert.equal(child.traceId, root.traceId, name);
      assert.equal(child.parentSpanId, root.spanId, name);
    }
    const authz = byName(spans, 'authorization');
    assert.equal(authz.kind, 1);
    assert.deepEqual(authz.attributes, { 'authz.decision': 'allow' });
    const up = byName(spans, 'upstream tools/call');
    assert.equal(up.kind, 3);
    assert.equal(up.attributes['mcp.target'], 'everything');
    // The upstream received a traceparent naming the upstream span, in the request's trace.
    assert.deepEqual(upstream.seen, [propagated]);
    assert.equal(propagated, `00-${root.traceId}-${up.spanId}-01`);
    assert.equal(req.traceId, root.traceId);
    assert.ok(receiver.requests.every((r) => r.headers['x-collector-key'] === 'k1'));
    assert.ok(receiver.requests.every((r) => r.headers['content-type'] === 'application/x-protobuf'));
  });

  it("keeps an incoming traceparent's trace id and parents the request span on the caller's span", async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.close());
    const tracing = await createTracing(config(receiver.url, { randomSampling: { ratio: 0 } }));
    const req = tracing.startRequestSpan(
      { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
      'POST /mcp',
    );
    assert.ok(req.traceparent?.startsWith(`00-${CALLER_TRACE}-`));
    assert.equal(req.traceId, CALLER_TRACE);
    const stdioMeta = tracing.childSpan(
      req.span,
      'upstream tools/call',
      (s) => ({ traceparent: s.traceparent }),
      {
        kind: 'client',
      },
    );
    req.end(200, {});
    await tracing.shutdown();

    assert.equal(receiver.spans.length, 2);
    const root = byName(receiver.spans, 'POST /mcp');
    assert.equal(root.traceId, CALLER_TRACE);
    assert.equal(root.parentSpanId, CALLER_SPAN);
    const up = byName(receiver.spans, 'upstream tools/call');
    assert.equal(stdioMeta.traceparent, `00-${CALLER_TRACE}-${up.spanId}-01`);
  });

  it('samples as agentgateway: randomSampling without a traceparent, clientSampling and the caller’s flag with one', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.close());
    // agentgateway's defaults: no random sampling, client sampling on.
    const tracing = await createTracing(
      config(receiver.url, { randomSampling: { ratio: 0 }, clientSampling: { ratio: 1 } }),
    );
    const unsampled = tracing.startRequestSpan({}, 'GET /a');
    assert.equal(unsampled.traceparent, undefined, 'not sampled: no span, nothing propagated');
    tracing.childSpan(unsampled.span, 'authentication', () => undefined);
    unsampled.end(200, {});
    const declined = tracing.startRequestSpan(
      { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-00` },
      'GET /b',
    );
    assert.equal(declined.traceparent?.slice(0, 35), `00-${CALLER_TRACE}`);
    assert.match(declined.traceparent ?? '', /-00$/, "the caller's trace continues, marked not sampled");
    declined.end(200, {});
    const asked = tracing.startRequestSpan(
      { traceparent: `00-${'1'.repeat(32)}-${CALLER_SPAN}-01` },
      'GET /c',
    );
    asked.end(200, {});
    await tracing.shutdown();
    assert.deepEqual(
      receiver.spans.map((s) => s.name),
      ['GET /c'],
    );

    // clientSampling off: a request with a traceparent is not traced; randomSampling decides the rest.
    const receiver2 = await startOtlpReceiver();
    t.after(() => receiver2.close());
    const strict = await createTracing(
      config(receiver2.url, { randomSampling: { ratio: 1 }, clientSampling: { ratio: 0 } }),
    );
    const d = strict.startRequestSpan({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` }, 'GET /d');
    assert.equal(d.traceparent, undefined);
    d.end(200, {});
    strict.startRequestSpan({}, 'GET /e').end(200, {});
    await strict.shutdown();
    assert.deepEqual(
      receiver2.spans.map((s) => s.name),
      ['GET /e'],
    );
  });

  it('samples by a CEL expression over the request; a ratio expression is a probability', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.close());
    const at = ['config', 'tracing', 'randomSampling'];
    const tracing = await createTracing(
      config(receiver.url, {
        randomSampling: { expression: 'request.headers["x-trace"] == "on"', at },
        clientSampling: { expression: 'request.path == "/always" ? 1.0 : 0.0', at },
      }),
      { build: BUILD },
    );
    tracing.startRequestSpan({}, 'GET /on', subject('/on', { 'x-trace': 'on' })).end(200, {});
    tracing.startRequestSpan({}, 'GET /off', subject('/off', { 'x-trace': 'off' })).end(200, {});
    const tp = { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` };
    tracing.startRequestSpan(tp, 'GET /always', subject('/always', {})).end(200, {});
    tracing.startRequestSpan(tp, 'GET /never', subject('/never', {})).end(200, {});
    await tracing.shutdown();
    assert.deepEqual(receiver.spans.map((s) => s.name).sort(), ['GET /always', 'GET /on']);
    await assert.rejects(
      createTracing(config(receiver.url, { randomSampling: { expression: 'request.nope', at } }), {
        build: BUILD,
      }),
      /config\.tracing\.randomSampling: invalid CEL expression/,
    );
  });

  it('fields: remove default attributes, add CEL ones, rename the span; filter drops a request with its children', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.close());
    const tracing = await createTracing(
      config(receiver.url, {
        fieldsAdd: {
          user: 'jwt.sub',
          'caller.ip': 'source.address',
          status: 'response.code',
          'span.name': '"mcp " + mcp.method',
          hdr: 'flatten(request.headers)',
          deep: 'flattenRecursive({"a": {"b": 1}, "l": ["x"]})',
        },
        fieldsRemove: ['http.host'],
        filter: 'response.code != 404',
        resources: { 'service.name': '"edge-gateway"' },
      }),
      { build: BUILD },
    );
    const releases: (() => void)[] = [];
    const late = (parent: SpanHandle): Promise<void> =>
      tracing.childSpan(parent, 'upstream late', () => new Promise<void>((r) => releases.push(r)), {
        kind: 'client',
      });
    const kept = tracing.startRequestSpan({}, 'POST /mcp', subject('/mcp', {}));
    tracing.childSpan(kept.span, 'authorization', () => undefined);
    const keptLate = late(kept.span);
    kept.end(
      200,
      { 'http.host': 'h', 'mcp.method': 'tools/call', route: 'r0' },
      subject('/mcp', { 'x-team': 'blue' }),
    );
    const gone = tracing.startRequestSpan({}, 'GET /missing', subject('/missing', {}));
    tracing.childSpan(gone.span, 'authentication', () => undefined);
    const goneLate = late(gone.span);
    gone.end(404, { 'http.host': 'h' }, subject('/missing', {}));
    // Calls that outlive their request follow its decision.
    for (const r of releases) r();
    await Promise.all([keptLate, goneLate]);
    await tracing.shutdown();
    assert.deepEqual(receiver.spans.map((s) => s.name).sort(), [
      'authorization',
      'mcp tools/call',
      'upstream late',
    ]);
    const root = byName(receiver.spans, 'mcp tools/call');
    assert.equal(root.attributes['http.host'], undefined);
    assert.equal(root.attributes['route'], 'r0');
    assert.equal(root.attributes['user'], undefined, 'no token: jwt.sub fails, nothing added');
    assert.equal(root.attributes['caller.ip'], '127.0.0.1');
    assert.equal(root.attributes['status'], 200);
    assert.equal(root.attributes['hdr.x-team'], 'blue', 'flatten spreads a map into one attribute per key');
    assert.equal(root.attributes['deep.a.b'], 1);
    assert.equal(root.attributes['deep.l.0'], 'x');
    assert.equal(root.resource['service.name'], 'edge-gateway');
  });

  it('marks failed child spans and 5xx requests as errors, without leaking a token', async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.close());
    const tracing = await createTracing(config(receiver.url));
    const req = tracing.startRequestSpan({}, 'POST /mcp');
    assert.throws(
      () =>
        tracing.childSpan(req.span, 'authentication', () => {
          throw new Error(`bad token ${TOKEN}`);
        }),
      /bad token/,
    );
    await assert.rejects(
      tracing.childSpan(req.span, 'upstream tools/call', async () => {
        throw new Error('connection refused');
      }),
      /connection refused/,
    );
    req.end(502, { error: `upstream failed: Bearer ${TOKEN}` });
    await tracing.shutdown();

    const authn = byName(receiver.spans, 'authentication');
    assert.equal(authn.statusCode, 2);
    assert.equal(authn.statusMessage, 'bad token [redacted]');
    assert.equal(byName(receiver.spans, 'upstream tools/call').statusCode, 2);
    const root = byName(receiver.spans, 'POST /mcp');
    assert.equal(root.statusCode, 2);
    assert.equal(root.attributes.error, 'upstream failed: Bearer [redacted]');
    assert.equal(
      JSON.stringify(receiver.spans, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).includes(
        TOKEN,
      ),
      false,
    );
  });

  it('runs several independent tracers in one process', async (t) => {
    const [r1, r2] = await Promise.all([startOtlpReceiver(), startOtlpReceiver()]);
    t.after(() => Promise.all([r1.close(), r2.close()]));
    const [a, b] = await Promise.all([createTracing(config(r1.url)), createTracing(config(r2.url))]);
    a.startRequestSpan({}, 'GET /one').end(200, {});
    b.startRequestSpan({}, 'GET /two').end(200, {});
    await Promise.all([a.shutdown(), b.shutdown()]);
    assert.deepEqual(
      r1.spans.map((s) => s.name),
      ['GET /one'],
    );
    assert.deepEqual(
      r2.spans.map((s) => s.name),
      ['GET /two'],
    );
  });

  it('a collector that is down: export failures are logged, flush and shutdown still resolve', async () => {
    const warnings: unknown[] = [];
    const logger = { warn: (o: unknown) => warnings.push(o) } as unknown as Logger;
    for (const protocol of ['grpc', 'http'] as const) {
      const tracing = await createTracing(
        config(protocol === 'grpc' ? 'http://127.0.0.1:1' : 'http://127.0.0.1:1/v1/traces', { protocol }),
        { logger },
      );
      tracing.startRequestSpan({}, 'GET /lost').end(200, {});
      await tracing.flush();
      await tracing.shutdown();
    }
    assert.ok(warnings.length >= 1, 'the failed export is reported');
  });

  it('adds /v1/traces to a bare collector address only', () => {
    assert.equal(tracesUrl('http://collector:4318'), 'http://collector:4318/v1/traces');
    assert.equal(tracesUrl('http://collector:4318/'), 'http://collector:4318/v1/traces');
    assert.equal(tracesUrl('http://collector:4318/custom/traces'), 'http://collector:4318/custom/traces');
  });
});
