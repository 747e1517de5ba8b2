/**
 * The request entry never throws: malformed Host values, request-targets and absolute-form requests are
 * answered 400 (plain text, before any route) and the process keeps serving. Each of these requests
 * stopped the whole gateway when the entry built a WHATWG URL from client input.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { scrape } from '../helpers/metrics.js';
import { rawRequest } from '../helpers/raw-http.js';

const YAML = `binds:
- port: 0
  listeners:
  - hostname: other.example
    routes:
    - policies:
        directResponse: {status: 200, body: "other listener"}
  - routes:
    - matches: [{path: {pathPrefix: /q}, query: [{name: x, value: {exact: "1"}}]}]
      policies:
        directResponse: {status: 200, body: "query matched"}
    - matches: [{path: {pathPrefix: /}}]
      policies:
        directResponse: {status: 200, body: "ok"}
`;

describe('request entry: malformed input is a 400, never a crash', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(YAML, { name: 'entry' });
  });
  after(() => gw.stop());

  const get = (target: string, host: string | undefined) =>
    rawRequest(
      gw.port,
      `GET ${target} HTTP/1.1\r\n${host === undefined ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`,
    );

  const bad: [string, string, string | undefined, RegExp][] = [
    ['Host with a space', '/', 'a b', /invalid Host header/],
    ['Host with a port over 65535', '/', 'localhost:99999', /invalid Host header/],
    ['Host with a non-numeric port', '/', 'localhost:http', /invalid Host header/],
    ['Host with an unclosed IPv6 bracket', '/', '[::1', /invalid Host header/],
    ['Host with userinfo', '/', 'user@localhost', /invalid Host header/],
    ['request-target without a leading slash', 'mcp', 'localhost', /400 Bad Request|invalid request target/],
    ['absolute-form with a bad authority', 'http://a%20b/', 'localhost', /invalid request target/],
    ['absolute-form with a space (HTTP syntax)', 'http://a b/', 'localhost', /400 Bad Request/],
    [
      'absolute-form with a port over 65535',
      'http://localhost:99999/',
      'localhost',
      /invalid request target/,
    ],
    ['absolute-form with userinfo', 'http://u:p@localhost/', 'localhost', /invalid request target/],
    ['absolute-form of another scheme', 'ftp://localhost/', 'localhost', /invalid request target/],
    ['asterisk-form on GET', '*', 'localhost', /invalid request target/],
  ];
  for (const [name, target, host, body] of bad) {
    test(`${name} → a 4xx answer, and the gateway keeps serving`, async () => {
      const r = await get(target, host);
      assert.ok(r.status !== undefined && r.status >= 400 && r.status < 500, `status ${r.status}: ${r.text}`);
      assert.match(r.text, body);
      assert.doesNotMatch(r.text, /TypeError|Invalid URL|at .*\.ts:\d+/);
      const ok = await fetch(`${gw.url}/`);
      assert.equal(await ok.text(), 'ok');
    });
  }

  test('request-target //[x/ is an ordinary path (routed as such), not a crash', async () => {
    const r = await get('//[x/', 'localhost');
    assert.equal(r.status, 200);
    assert.match(r.text, /ok$/);
  });

  test('Host and request-target errors are plain-text 400s and counted', async () => {
    const before = await scrape(gw.statsUrl, 'portcullis_http_malformed_requests_total', { reason: 'host' });
    const r = await get('/', 'a b');
    assert.equal(r.status, 400);
    assert.match(r.text, /content-type: text\/plain/i);
    assert.match(r.text, /connection: close/i);
    const after = await scrape(gw.statsUrl, 'portcullis_http_malformed_requests_total', { reason: 'host' });
    assert.equal(after, before + 1);
  });

  test('absolute-form: the target authority selects the listener, not the Host header', async () => {
    const r = await get('http://other.example/', 'localhost');
    assert.equal(r.status, 200);
    assert.match(r.text, /other listener$/);
    const r2 = await get('http://localhost:1/', 'other.example');
    assert.match(r2.text, /ok$/);
  });

  test('dot segments are removed before routing, as the URL standard does', async () => {
    const r = await get('/a/../q?x=1', 'localhost');
    assert.match(r.text, /query matched$/);
    const r2 = await get('/a/%2e%2e/q?x=1', 'localhost');
    assert.match(r2.text, /query matched$/);
  });

  test('OPTIONS * and an empty Host on HTTP/1.0 are answered', async () => {
    const r = await rawRequest(gw.port, 'OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    assert.ok(r.status !== undefined && r.status < 500, r.text);
    const r2 = await rawRequest(gw.port, 'GET / HTTP/1.0\r\n\r\n');
    assert.equal(r2.status, 200);
  });

  test('bytes outside visible ASCII in the target → 400, never a crash', async () => {
    const r = await rawRequest(
      gw.port,
      Buffer.from('GET /\xff\xfe HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', 'latin1'),
    );
    assert.equal(r.status, 400);
    assert.equal((await fetch(`${gw.url}/`)).status, 200);
  });

  test('CONNECT and Upgrade requests are answered, not dropped', async () => {
    const c = await rawRequest(gw.port, 'CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n');
    assert.equal(c.status, 405, c.text);
    const u = await rawRequest(
      gw.port,
      'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    assert.ok(u.status !== undefined && u.status < 500, u.text);
    assert.equal((await fetch(`${gw.url}/`)).status, 200);
  });

  test('IPv6 literal and name:port Host values are accepted', async () => {
    assert.equal((await get('/', '[::1]:8080')).status, 200);
    assert.equal((await get('/', 'Example.COM:443')).status, 200);
  });
});
