/**
 * backendTLS against real HTTPS upstreams: a Streamable HTTP MCP server with a self-signed certificate
 * (test/fixtures/tls/a.crt, SAN localhost + 127.0.0.1) and one that requires a client certificate
 * (mTLS, trusting test/fixtures/tls/client.crt). Every route of one gateway reaches the same origin with
 * different TLS settings, so this also shows that pools never share a connection across settings.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startConformanceServer } from '../fixtures/conformance-server.js';
import type { ServedFixture } from '../fixtures/serve.js';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';
import { initializeMessage, rpc } from '../e2e/helpers.js';

const TLS = 'test/fixtures/tls';
const pem = (name: string): string => readFileSync(`${TLS}/${name}`, 'utf8');

function route(name: string, upstreamUrl: string, backendTls: string | undefined): string {
  return `    - name: ${name}
      matches: [{path: {pathPrefix: /${name}}}]
${backendTls === undefined ? '' : `      policies:\n        backendTLS: ${backendTls}\n`}      backends:
      - mcp:
          targets:
          - name: up
            mcp: {host: "${upstreamUrl}"}
`;
}

/** The JSON-RPC error message an `initialize` through route `name` gets (undefined when it succeeds). */
async function initError(gw: TestGateway, name: string): Promise<string | undefined> {
  const r = await rpc(`${gw.url}/${name}`, initializeMessage());
  const error = r.message?.error as { message?: string } | undefined;
  return error?.message;
}

/** The SDK client through route `name` lists and calls the upstream's tool. */
async function callThrough(gw: TestGateway, name: string): Promise<void> {
  const client = await connect(`${gw.url}/${name}`);
  try {
    const r = await client.callTool({ name: 'test_simple_text', arguments: {} });
    assert.deepEqual(r.content, [{ type: 'text', text: 'This is a simple text response for testing.' }]);
  } finally {
    await client.close();
  }
}

describe('backendTLS', () => {
  let tlsUp: ServedFixture;
  let mtlsUp: ServedFixture;
  let gw: TestGateway;
  const A = `root: ${TLS}/a.crt`;
  const CLIENT = `cert: ${TLS}/client.crt, key: ${TLS}/client.key`;

  before(async () => {
    tlsUp = await startConformanceServer({ tls: { cert: pem('a.crt'), key: pem('a.key') } });
    mtlsUp = await startConformanceServer({
      tls: {
        cert: pem('a.crt'),
        key: pem('a.key'),
        ca: pem('client.crt'),
        requestCert: true,
        rejectUnauthorized: true,
      },
    });
    const hostPort = new URL(tlsUp.url).host;
    gw = await startGateway(
      `binds:
- port: 0
  listeners:
  - routes:
${route('none', tlsUp.url, undefined)}${route('root', tlsUp.url, `{${A}}`)}${route('otherca', tlsUp.url, `{root: ${TLS}/b.crt}`)}${route('insecure', tlsUp.url, '{insecure: true}')}${route('wronghost', tlsUp.url, `{${A}, hostname: wrong.example}`)}${route('goodhost', tlsUp.url, `{${A}, hostname: localhost}`)}${route('insecurehost', tlsUp.url, `{${A}, hostname: wrong.example, insecureHost: true}`)}${route('mtlsnocert', mtlsUp.url, `{${A}}`)}${route('mtls', mtlsUp.url, `{${A}, ${CLIENT}}`)}    - name: hostroot
      matches: [{path: {pathPrefix: /hostroot}}]
      policies:
        backendTLS: {${A}}
      backends:
      - host: "${hostPort}"
    - name: hostnone
      matches: [{path: {pathPrefix: /hostnone}}]
      backends:
      - host: "${hostPort}"
`,
      { name: 'backend-tls' },
    );
  });
  after(async () => {
    await gw?.stop();
    await tlsUp?.close();
    await mtlsUp?.close();
  });

  test('without backendTLS a self-signed upstream fails with a JSON-RPC error naming the target and the certificate reason', async () => {
    assert.match(
      (await initError(gw, 'none')) ?? '',
      /^target "up" failed: TLS error \(\w*SELF_SIGNED\w*\)$/,
    );
  });

  test('root = the upstream certificate: the SDK client lists and calls tools', async () => {
    await callThrough(gw, 'root');
  });

  test('root = an unrelated CA replaces the defaults and fails', async () => {
    assert.match((await initError(gw, 'otherca')) ?? '', /^target "up" failed: TLS error \(\w+\)$/);
  });

  test('insecure: true skips verification (and warns at load)', async () => {
    await callThrough(gw, 'insecure');
    const warned = gw.logs.some((l) => /insecure: true/.test(String(l.msg)));
    assert.ok(warned, 'a warning about insecure: true is logged at load');
  });

  test('hostname overrides the verified name: a wrong one fails, localhost on 127.0.0.1 works', async () => {
    assert.equal(
      await initError(gw, 'wronghost'),
      'target "up" failed: TLS error (ERR_TLS_CERT_ALTNAME_INVALID)',
    );
    await callThrough(gw, 'goodhost');
  });

  test('insecureHost: true verifies the chain but not the name', async () => {
    await callThrough(gw, 'insecurehost');
  });

  test('mTLS: the upstream rejects the gateway without cert/key and accepts it with them', async () => {
    // TLS 1.3: the server's "certificate required" alert may arrive after the request went out (a reset).
    assert.match(
      (await initError(gw, 'mtlsnocert')) ?? '',
      /^target "up" failed: (connection reset|TLS error \(\w+\))$/,
    );
    await callThrough(gw, 'mtls');
  });

  test('host backends: backendTLS originates TLS with the given root; without it the call is plain HTTP and fails', async () => {
    const ok = await fetch(`${gw.url}/hostroot`);
    assert.equal(ok.status, 404, 'the upstream itself answered (unknown path)');
    await ok.text();
    const bad = await fetch(`${gw.url}/hostnone`);
    assert.equal(bad.status, 503);
    assert.match(await bad.text(), /^upstream call failed: /);
  });
});

test('backendTLS: editing the root file reloads the config, and new sessions use the new trust', async (t) => {
  const up = await startConformanceServer({ tls: { cert: pem('a.crt'), key: pem('a.key') } });
  t.after(() => up.close());
  const gw = await startGateway(
    `binds:
- port: 0
  listeners:
  - routes:
${route('r', up.url, '{root: ca.pem}')}`,
    { name: 'backend-tls-reload', watch: true, files: { 'ca.pem': pem('b.crt') } },
  );
  t.after(() => gw.stop());
  assert.match((await initError(gw, 'r')) ?? '', /TLS error/);
  writeFileSync(join(gw.dir, 'ca.pem'), pem('a.crt'));
  await eventually(async () => (await initError(gw, 'r')) === undefined, 5000);
  await callThrough(gw, 'r');
});
