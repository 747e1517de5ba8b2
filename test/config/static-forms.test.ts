/** agentgateway's forms of `config.logging.level` and the tracing sampling fields. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findIssue, loadError, loadText } from './helpers.js';

test('logging.level: a level, env-filter directives or a list; module directives warn', () => {
  assert.equal(loadText('config:\n  logging:\n    level: debug\n').config.static.logging.level, 'debug');
  const l = loadText('config:\n  logging:\n    level: "warn,rmcp=debug"\n');
  assert.equal(l.config.static.logging.level, 'warn');
  assert.match(
    l.build.warnings.join('\n'),
    /config\.logging\.level: ignored: per-module levels \(rmcp=debug\)/,
  );
  const list = loadText('config:\n  logging:\n    level: [error, "hyper=info"]\n');
  assert.equal(list.config.static.logging.level, 'error');
  findIssue(loadError('config:\n  logging:\n    level: loud\n'), 'config.logging.level');
  findIssue(loadError('config:\n  logging:\n    level: "info,rmcp=loud"\n'), 'config.logging.level');
  // Rust's names, and the gateway's own module.
  assert.equal(loadText('config:\n  logging:\n    level: "off"\n').config.static.logging.level, 'silent');
  const own = loadText('config:\n  logging:\n    level: "info,agentgateway::proxy=debug"\n');
  assert.equal(own.config.static.logging.level, 'debug');
  assert.doesNotMatch(own.build.warnings.join('\n'), /per-module/);
});

test('randomSampling / clientSampling: agentgateway defaults, booleans, ratios, strings and CEL', () => {
  const t = (extra: string) =>
    loadText(`config:\n  tracing:\n    otlpEndpoint: http://127.0.0.1:4317\n${extra}`).config.static.tracing!;
  assert.deepEqual(t('    randomSampling: "0.25"\n').randomSampling, { ratio: 0.25 });
  assert.deepEqual(t('    randomSampling: "false"\n').randomSampling, { ratio: 0 });
  assert.deepEqual(t('    randomSampling: true\n').randomSampling, { ratio: 1 });
  assert.deepEqual(t('    randomSampling: 2\n').randomSampling, { ratio: 1 }, 'clamped, as agentgateway');
  // Absent: no random sampling, client sampling on (agentgateway's documented defaults).
  assert.deepEqual(t('').randomSampling, { ratio: 0 });
  assert.deepEqual(t('').clientSampling, { ratio: 1 });
  assert.deepEqual(t('    clientSampling: "false"\n').clientSampling, { ratio: 0 });
  assert.deepEqual(t('    randomSampling: request.path == "/x"\n').randomSampling, {
    expression: 'request.path == "/x"',
    at: ['config', 'tracing', 'randomSampling'],
  });
});

test('otlpProtocol: gRPC when absent (the collector origin), HTTP with the traces path', () => {
  const t = (extra: string) => loadText(`config:\n  tracing:\n${extra}`).config.static.tracing!;
  const grpc = t('    otlpEndpoint: http://collector:4317/\n');
  assert.equal(grpc.protocol, 'grpc');
  assert.equal(grpc.otlpEndpoint, 'http://collector:4317');
  assert.equal(t('    otlpEndpoint: collector:4317\n').otlpEndpoint, 'http://collector:4317');
  const http = t('    otlpEndpoint: http://collector:4318\n    otlpProtocol: http\n');
  assert.equal(http.protocol, 'http');
  assert.equal(http.otlpEndpoint, 'http://collector:4318/v1/traces');
  const path = t('    otlpEndpoint: http://collector:4318\n    otlpProtocol: http\n    path: /otlp/traces\n');
  assert.equal(path.otlpEndpoint, 'http://collector:4318/otlp/traces');
  assert.match(
    loadText('config:\n  tracing:\n    otlpEndpoint: http://c:4317\n    path: /x\n').build.warnings.join(
      '\n',
    ),
    /config\.tracing\.path: ignored: `path` applies to OTLP over HTTP only/,
  );
  assert.equal(
    t('    otlpEndpoint: http://u:p@collector:4318\n    otlpProtocol: http\n').otlpEndpoint,
    'http://u:p@collector:4318/v1/traces',
  );
  const fields = t(
    '    otlpEndpoint: http://c:4317\n    fields:\n      add: {user: jwt.sub}\n      remove: [http.host]\n',
  );
  assert.deepEqual(fields.fieldsAdd, { user: 'jwt.sub' });
  assert.deepEqual(fields.fieldsRemove, ['http.host']);
});

test('frontendPolicies.tracing: host, protocol, attributes, resources; not with config.tracing', () => {
  const f = loadText(`frontendPolicies:
  tracing:
    host: localhost:4317
    randomSampling: "1.0"
    attributes: {environment: '"production"', route: request.path}
    resources: {service.name: '"agentgateway"'}
    remove: [http.host]
`).config.static.tracing!;
  assert.equal(f.otlpEndpoint, 'http://localhost:4317');
  assert.equal(f.protocol, 'grpc');
  assert.deepEqual(f.randomSampling, { ratio: 1 });
  assert.deepEqual(f.fieldsAdd, { environment: '"production"', route: 'request.path' });
  assert.deepEqual(f.resources, { 'service.name': '"agentgateway"' });
  assert.deepEqual(f.at, ['frontendPolicies', 'tracing']);
  findIssue(
    loadError(
      'config:\n  tracing: {otlpEndpoint: "http://a:4317"}\nfrontendPolicies:\n  tracing: {host: "b:4317"}\n',
    ),
    'frontendPolicies.tracing',
  );
  assert.match(
    findIssue(
      loadError('frontendPolicies:\n  tracing: {host: "b:4317", backend: otel}\n'),
      'frontendPolicies.tracing.backend',
    ).message,
    /not supported yet: backend/,
  );
});

test("agentgateway's OTLP environment variables win over config.tracing", () => {
  const t = (env: Record<string, string>, yaml = '    otlpEndpoint: http://file:4317\n') =>
    loadText(`config:\n  tracing:\n${yaml}    headers: {a: "1"}\n`, { env }).config.static.tracing!;
  const e = t({
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318',
    OTLP_HEADERS: '{"b": "2"}',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
  });
  assert.equal(e.otlpEndpoint, 'http://traces:4318/v1/traces');
  assert.equal(e.protocol, 'http');
  assert.deepEqual(e.headers, { a: '1', b: '2' });
  // The endpoint may come from the environment alone.
  assert.equal(t({ OTLP_ENDPOINT: 'collector:4317' }, '').otlpEndpoint, 'http://collector:4317');
  assert.deepEqual(t({ OTLP_HEADERS: 'x=1, y = 2' }).headers, { a: '1', x: '1', y: '2' });
  const bad = loadError('config:\n  tracing:\n    otlpEndpoint: http://c:4317\n', {
    env: { OTLP_PROTOCOL: 'http/json', OTLP_HEADERS: 'token-without-equals' },
  });
  assert.match(findIssue(bad, 'config.tracing').message, /OTLP_PROTOCOL|OTLP_HEADERS/);
  assert.doesNotMatch(bad.message, /token-without-equals/, 'a header value is never echoed');
});
