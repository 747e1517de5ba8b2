/**
 * csrf against a real gateway: a table over method × Origin × Sec-Fetch-Site, the 403's shape (plain
 * text with CORS headers, also on MCP routes), a browser preflight still answered by CORS, and the SDK
 * client (no Origin) unaffected.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startConformanceServer } from '../fixtures/conformance-server.js';
import type { ServedFixture } from '../fixtures/serve.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

const APP = 'https://app.example.com';
const CORS_ONLY = 'https://cors-only.example.com';
const EVIL = 'https://evil.example.net';
const OWN = 'own';

interface Row {
  readonly method: string;
  /** `own` = the request's own origin. */
  readonly origin?: string;
  readonly site?: string;
  readonly status: 200 | 403;
}

const ROWS: readonly Row[] = [
  { method: 'GET', origin: EVIL, site: 'cross-site', status: 200 },
  { method: 'HEAD', origin: EVIL, site: 'cross-site', status: 200 },
  { method: 'OPTIONS', origin: EVIL, site: 'cross-site', status: 200 },
  { method: 'POST', status: 200 },
  { method: 'POST', site: 'same-origin', status: 200 },
  { method: 'POST', origin: EVIL, site: 'same-origin', status: 200 },
  { method: 'POST', origin: EVIL, site: 'none', status: 200 },
  { method: 'POST', origin: OWN, status: 200 },
  { method: 'POST', origin: OWN, site: 'same-site', status: 200 },
  { method: 'POST', origin: APP, site: 'cross-site', status: 200 },
  { method: 'PATCH', origin: APP, status: 200 },
  { method: 'POST', origin: EVIL, site: 'cross-site', status: 403 },
  { method: 'POST', origin: EVIL, status: 403 },
  { method: 'POST', origin: 'null', site: 'cross-site', status: 403 },
  { method: 'POST', site: 'cross-site', status: 403 },
  { method: 'PUT', origin: EVIL, site: 'same-site', status: 403 },
  { method: 'DELETE', origin: `${APP}.evil.example.net`, status: 403 },
];

describe('csrf', () => {
  let gw: TestGateway;
  let up: ServedFixture;
  before(async () => {
    up = await startConformanceServer();
    const policies = `        cors: {allowOrigins: ["${APP}", "${CORS_ONLY}"], allowMethods: [POST, PUT, DELETE, PATCH]}
        csrf: {additionalOrigins: ["${APP.toUpperCase()}:443"]}
`;
    gw = await startGateway(
      `binds:
- port: 0
  listeners:
  - routes:
    - name: mcp
      matches: [{path: {pathPrefix: /mcp}}]
      policies:
${policies}      backends:
      - mcp:
          targets:
          - name: up
            mcp: {host: "${up.url}"}
    - name: direct
      policies:
${policies}        directResponse: {status: 200, body: ok}
`,
      { name: 'csrf' },
    );
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
  });

  for (const r of ROWS) {
    const origin = r.origin === OWN ? 'own origin' : (r.origin ?? 'no Origin');
    test(`${r.method} · ${origin} · Sec-Fetch-Site ${r.site ?? 'absent'} → ${r.status}`, async () => {
      const headers: Record<string, string> = {};
      if (r.origin) headers.origin = r.origin === OWN ? gw.url : r.origin;
      if (r.site) headers['sec-fetch-site'] = r.site;
      const res = await request(`${gw.url}/x`, {
        method: r.method as 'POST',
        headers,
        body: r.method === 'POST' ? '{}' : null,
      });
      const body = await res.body.text();
      assert.equal(res.statusCode, r.status, body);
      if (r.status === 403) {
        assert.equal(body, 'CSRF validation failed\n');
        assert.match(String(res.headers['content-type']), /^text\/plain/);
      }
    });
  }

  test('the 403 carries the CORS headers for an origin CORS allows but csrf does not', async () => {
    const res = await request(`${gw.url}/x`, {
      method: 'POST',
      headers: { origin: CORS_ONLY, 'sec-fetch-site': 'cross-site' },
      body: '{}',
    });
    assert.equal(res.statusCode, 403);
    assert.equal(res.headers['access-control-allow-origin'], CORS_ONLY);
    assert.equal(await res.body.text(), 'CSRF validation failed\n');
  });

  test('a browser preflight is still answered by CORS, even from an origin csrf would refuse', async () => {
    for (const origin of [APP, CORS_ONLY]) {
      const res = await request(`${gw.url}/mcp`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'sec-fetch-site': 'cross-site',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, mcp-session-id',
        },
      });
      await res.body.text();
      assert.equal(res.statusCode, 204);
      assert.equal(res.headers['access-control-allow-origin'], origin);
    }
  });

  test('MCP routes: a cross-site POST gets the plain-text 403; the SDK client (no Origin) works', async () => {
    const res = await request(`${gw.url}/mcp`, {
      method: 'POST',
      headers: {
        origin: EVIL,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    assert.equal(res.statusCode, 403);
    assert.equal(await res.body.text(), 'CSRF validation failed\n');
    const client = await connect(`${gw.url}/mcp`);
    try {
      const tools = await client.listTools();
      assert.ok(tools.tools.some((t) => t.name === 'test_simple_text'));
    } finally {
      await client.close();
    }
  });
});
