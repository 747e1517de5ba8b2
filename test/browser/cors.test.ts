/**
 * CORS in a real browser: headless Chromium loads a page from another origin (a tiny node:http
 * server on another port) whose script calls the gateway's `/mcp` with `fetch` and an
 * `Authorization: Bearer` header — initialize, read `Mcp-Session-Id`, `notifications/initialized`,
 * `tools/list` — with the seed's cors config (`allowOrigins: ["*"], allowHeaders: ["*"]`) plus jwtAuth
 * and an HTTP `authorization` policy. Refusals (401, 403) must be readable by the page, not turned
 * into an opaque network error. Chromium: $CHROMIUM_PATH or /usr/bin/chromium; absent → skipped, or a
 * failure when CI is set. Screenshot: test-artifacts/browser/cors.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ServedFixture } from '../fixtures/serve.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { ARTIFACTS, CHROMIUM_FLAGS, chromiumPath } from '../helpers/playground.js';
import {
  bearer,
  jwtAuthYaml,
  makeSigner,
  mcpBackendYaml,
  PROTOCOL_VERSION,
  rpc,
  startUpstream,
  type Signer,
} from '../e2e/helpers.js';

/** What the page's script reports back (everything a browser MCP client needs to read). */
interface PageRun {
  readonly error?: string;
  readonly initStatus?: number;
  readonly sessionId?: string | null;
  readonly serverName?: string;
  readonly ackStatus?: number;
  readonly listStatus?: number;
  readonly tools?: string[];
  readonly exposedChallenge?: string | null;
  readonly body?: string;
}

interface Runner {
  run(endpoint: string, token: string | null): Promise<PageRun>;
  end(
    endpoint: string,
    token: string,
    sessionId: string,
  ): Promise<{ deleteStatus?: number; deleteError?: string }>;
}

/** The page: plain fetch, as a hand-written browser MCP client would do it. */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>cross-origin MCP client</title>
<style>body{font:14px system-ui;margin:24px} pre{background:#f4f4f4;padding:12px;white-space:pre-wrap}</style>
</head><body>
<h1>Cross-origin MCP client</h1>
<p id="origin"></p>
<pre id="out">(not run yet)</pre>
<script>
document.getElementById('origin').textContent = 'page origin: ' + location.origin;
const shown = [];
async function parse(r) {
  const text = await r.text();
  const type = r.headers.get('content-type') || '';
  if (type.includes('text/event-stream')) {
    const line = text.split('\\n').find((l) => l.startsWith('data:') && l.slice(5).trim().startsWith('{'));
    return { text, json: line ? JSON.parse(line.slice(5)) : null };
  }
  try { return { text, json: JSON.parse(text) }; } catch { return { text, json: null }; }
}
window.run = async function run(endpoint, token) {
  const post = (body, sid) => fetch(endpoint, {
    method: 'POST',
    headers: Object.assign(
      { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      token ? { authorization: 'Bearer ' + token } : {},
      sid ? { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' } : {},
    ),
    body: JSON.stringify(body),
  });
  const out = {};
  try {
    const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
      protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'browser-page', version: '1.0.0' } } });
    out.initStatus = init.status;
    out.sessionId = init.headers.get('mcp-session-id');
    out.exposedChallenge = init.headers.get('www-authenticate');
    const initBody = await parse(init);
    if (init.status !== 200) { out.body = initBody.text; return show(out); }
    out.serverName = initBody.json && initBody.json.result && initBody.json.result.serverInfo.name;
    const ack = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, out.sessionId);
    out.ackStatus = ack.status;
    const list = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, out.sessionId);
    out.listStatus = list.status;
    const listBody = await parse(list);
    out.tools = (listBody.json && listBody.json.result ? listBody.json.result.tools : []).map((t) => t.name).sort();
  } catch (e) {
    out.error = String(e);
  }
  return show(out);
};
window.end = async function end(endpoint, token, sid) {
  try {
    const r = await fetch(endpoint, { method: 'DELETE', headers: Object.assign(
      { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' },
      token ? { authorization: 'Bearer ' + token } : {}) });
    return show({ deleteStatus: r.status });
  } catch (e) {
    return show({ deleteError: String(e) });
  }
};
function show(out) {
  shown.push(out);
  document.getElementById('out').textContent = shown.map((o) => JSON.stringify(o, null, 2)).join('\\n\\n');
  return out;
}
</script></body></html>`;

describe('a cross-origin page calls the gateway with fetch + Authorization (chromium)', () => {
  let upstream: ServedFixture;
  let gw: TestGateway;
  let pageServer: Server;
  let pageUrl: string;
  let signer: Signer;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const consoleLines: string[] = [];

  before(async () => {
    upstream = await startUpstream();
    signer = await makeSigner();
    // /mcp: the seed's cors block, verbatim, plus jwtAuth (optional, the seed's mode) and HTTP
    // authorization. /full/mcp: the same with allowMethods, so that DELETE is allowed too.
    const policies = `${jwtAuthYaml(signer)}        authorization:
          rules:
          - 'jwt.sub == "test-user"'`;
    gw = await startGateway(
      `binds:
- port: 0
  listeners:
  - routes:
    - matches: [{path: {exact: /mcp}}]
      policies:
        cors:
          allowOrigins:
          - "*"
          allowHeaders:
          - "*"
${policies}
${mcpBackendYaml(upstream.url)}    - matches: [{path: {exact: /full/mcp}}]
      policies:
        cors:
          allowOrigins: ["*"]
          allowHeaders: ["*"]
          allowMethods: [GET, POST, DELETE]
${policies}
${mcpBackendYaml(upstream.url)}`,
      { name: 'browser-cors' },
    );
    pageServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    await new Promise<void>((ok) => pageServer.listen(0, '127.0.0.1', ok));
    pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await upstream?.close();
    pageServer?.closeAllConnections();
    await new Promise((r) => pageServer?.close(r));
  });

  /** Chromium with the page loaded, launched once; undefined (test skipped) when chromium is absent. */
  async function open(t: TestContext): Promise<Page | undefined> {
    if (page) return page;
    const executablePath = chromiumPath();
    if (!executablePath) {
      if (process.env['CI'])
        throw new Error('chromium is not installed (expected /usr/bin/chromium or $CHROMIUM_PATH)');
      t.skip('chromium is not installed: apt-get install -y chromium (or set CHROMIUM_PATH)');
      return undefined;
    }
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    await page.goto(pageUrl);
    return page;
  }

  const run = (p: Page, token: string | null, path = '/mcp'): Promise<PageRun> =>
    p.evaluate(([u, tok]) => (globalThis as unknown as Runner).run(u, tok), [gw.url + path, token] as const);
  const end = (p: Page, token: string, sessionId: string, path: string) =>
    p.evaluate(([u, tok, sid]) => (globalThis as unknown as Runner).end(u, tok, sid), [
      gw.url + path,
      token,
      sessionId,
    ] as const);
  /** Console lines about CORS since `from` (a blocked request logs one). */
  const corsComplaints = (from = 0) => consoleLines.slice(from).filter((l) => /CORS|Access-Control/i.test(l));

  test('initialize, read Mcp-Session-Id, notifications/initialized, tools/list — all from another origin', async (t) => {
    const p = await open(t);
    if (!p) return;
    const consoleFrom = consoleLines.length;
    const logFrom = gw.logs.length;
    const token = await signer.token('test-user');
    const out = await run(p, token);
    assert.equal(out.error, undefined, `the page's fetch failed: ${out.error}\n${consoleLines.join('\n')}`);
    assert.equal(out.initStatus, 200);
    assert.ok(out.sessionId, 'the page can read Mcp-Session-Id (exposed by the MCP default)');
    assert.ok(out.serverName, 'the initialize result was readable');
    assert.equal(out.ackStatus, 202);
    assert.equal(out.listStatus, 200);
    assert.deepEqual(out.tools, ['echo', 'get_headers', 'sleep']);
    assert.deepEqual(corsComplaints(consoleFrom), []);

    // The browser really went cross-origin: it sent a preflight (Authorization is not CORS-safelisted),
    // the gateway answered it itself, and every call carried the page's Origin.
    const lines = gw.logs.slice(logFrom).filter((l) => l['http.path'] === '/mcp');
    const preflights = lines.filter((l) => l['http.method'] === 'OPTIONS');
    assert.ok(preflights.length >= 1, 'a preflight was sent');
    for (const l of preflights) assert.equal(l['http.status'], 204);
    assert.ok(
      lines.some((l) => l['http.method'] === 'POST' && l['jwt.sub'] === 'test-user'),
      'the POSTs were authenticated as test-user',
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await p.screenshot({ path: join(ARTIFACTS, 'cors.png') });
  });

  test('refusals are readable by the page: 401 with its exposed challenge, 403 from authorization', async (t) => {
    const p = await open(t);
    if (!p) return;
    const consoleFrom = consoleLines.length;
    const bad = await run(p, 'not.a.token');
    assert.equal(bad.error, undefined, `a 401 without CORS headers would be an opaque error: ${bad.error}`);
    assert.equal(bad.initStatus, 401);
    assert.match(bad.exposedChallenge ?? '', /^Bearer realm="portcullis", error="invalid_token"/);
    assert.match(bad.body ?? '', /malformed token/);

    const other = await run(p, await signer.token('someone-else'));
    assert.equal(other.error, undefined, String(other.error));
    assert.equal(other.initStatus, 403);
    assert.match(other.body ?? '', /authorization failed/);

    const anonymous = await run(p, null);
    assert.equal(anonymous.initStatus, 403, 'optional mode: no token, then the authorization rule refuses');
    assert.deepEqual(corsComplaints(consoleFrom), []);
    mkdirSync(ARTIFACTS, { recursive: true });
    await p.screenshot({ path: join(ARTIFACTS, 'cors-refusals.png') });
  });

  test('with allowMethods [GET, POST, DELETE] the page ends its session with DELETE', async (t) => {
    const p = await open(t);
    if (!p) return;
    const consoleFrom = consoleLines.length;
    const token = await signer.token('test-user');
    const out = await run(p, token, '/full/mcp');
    assert.equal(out.listStatus, 200, JSON.stringify(out));
    const del = await end(p, token, out.sessionId!, '/full/mcp');
    assert.ok(del.deleteStatus === 200 || del.deleteStatus === 204, JSON.stringify(del));
    const gone = await rpc(
      gw.url + '/full/mcp',
      { jsonrpc: '2.0', id: 9, method: 'tools/list' },
      { ...bearer(token), 'mcp-session-id': out.sessionId!, 'mcp-protocol-version': PROTOCOL_VERSION },
    );
    assert.equal(gone.status, 404, 'the session is gone');
    const after = await run(p, token, '/full/mcp');
    assert.equal(after.initStatus, 200, 'a new session can start');
    assert.deepEqual(corsComplaints(consoleFrom), []);
  });

  // MCP-aware default (docs/policies.md): on an MCP route without `allowMethods`, a preflight allows
  // GET, POST and DELETE, so a page using the seed's cors block can end its session.
  test("the seed's cors config (no allowMethods): the page ends its session with DELETE", async (t) => {
    const p = await open(t);
    if (!p) return;
    const consoleFrom = consoleLines.length;
    const token = await signer.token('test-user');
    const out = await run(p, token);
    assert.equal(out.listStatus, 200, JSON.stringify(out));
    const del = await end(p, token, out.sessionId!, '/mcp');
    assert.ok(del.deleteStatus === 200 || del.deleteStatus === 204, JSON.stringify(del));
    const gone = await rpc(
      gw.url + '/mcp',
      { jsonrpc: '2.0', id: 9, method: 'tools/list' },
      { ...bearer(token), 'mcp-session-id': out.sessionId!, 'mcp-protocol-version': PROTOCOL_VERSION },
    );
    assert.equal(gone.status, 404, 'the DELETE reached the gateway: the session is gone');
    assert.deepEqual(corsComplaints(consoleFrom), []);
  });
});
