/**
 * config.limits at the socket: a request head or body trickled byte by byte is cut off (408 while an
 * answer is still possible, then the connection closes), and connections beyond connectionsPerBind are
 * refused. Each counted in /metrics. Real sockets; no wall-clock assertions (the server's replies and
 * the closes are what is awaited).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';
import { scrape } from '../helpers/metrics.js';
import { rawRequest } from '../helpers/raw-http.js';

const YAML = `config:
  limits:
    requestHeaderTimeout: 300ms
    requestBodyTimeout: 300ms
    connectionsPerBind: 3
binds:
- port: 0
  listeners:
  - routes:
    - matches: [{path: {pathPrefix: /mcp}}]
      backends:
      - mcp:
          targets:
          - name: unused
            mcp: {host: "http://127.0.0.1:1/mcp"}
    - matches: [{path: {pathPrefix: /}}]
      policies:
        directResponse: {status: 200, body: "ok"}
`;

/** `n` pieces of `piece`, to write `gapMs` apart: longer in total than every timeout above. */
const trickle = (piece: string, n: number) => Array.from({ length: n }, () => piece);

describe('request timeouts and the connection cap (config.limits)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway(YAML, { name: 'timeouts' });
  });
  after(() => gw.stop());

  test('a trickled request head → 408 and the connection closes; counted as phase=header', async () => {
    const before = await scrape(gw.statsUrl, 'portcullis_http_request_timeouts_total', { phase: 'header' });
    const r = await rawRequest(
      gw.port,
      ['GET / HTTP/1.1\r\nHost: localhost\r\n', ...trickle('X-Slow: 1\r\n', 40)],
      {
        gapMs: 100,
      },
    );
    assert.equal(r.status, 408, r.text);
    assert.match(r.text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.equal(r.closed, true);
    assert.equal(
      await scrape(gw.statsUrl, 'portcullis_http_request_timeouts_total', { phase: 'header' }),
      before + 1,
    );
  });

  test('a connection that never sends a byte is closed after the head deadline; phase=header', async () => {
    const before = await scrape(gw.statsUrl, 'portcullis_http_request_timeouts_total', { phase: 'header' });
    const s = connect(gw.port, '127.0.0.1');
    s.on('error', () => undefined);
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    await new Promise((r) => s.once('connect', r));
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      new Promise((r) => setTimeout(r, 5000, 'open')),
    ]);
    s.destroy();
    assert.equal(outcome, 'closed');
    assert.equal(
      await scrape(gw.statsUrl, 'portcullis_http_request_timeouts_total', { phase: 'header' }),
      before + 1,
    );
  });

  test('a trickled body on an MCP route → 408 with a JSON-RPC error, then close; phase=body', async () => {
    const before = await scrape(gw.statsUrl, 'portcullis_http_request_timeouts_total', { phase: 'body' });
    const head =
      'POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
      'Accept: application/json, text/event-stream\r\nContent-Length: 200\r\n\r\n{"jsonrpc":"2.0",';
    const r = await rawRequest(gw.port, [head, ...trickle(' ', 40)], { gapMs: 100 });
    assert.equal(r.status, 408, r.text);
    const body = JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)) as {
      jsonrpc: string;
      error: { code: number; message: string };
    };
    assert.equal(body.jsonrpc, '2.0');
    assert.equal(body.error.message, 'request body timeout');
    assert.equal(r.closed, true);
    assert.equal(
      await scrape(gw.statsUrl, 'portcullis_http_request_timeouts_total', { phase: 'body' }),
      before + 1,
    );
  });

  test('a chunked body that never ends is cut off too', async () => {
    const head =
      'POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
      'Accept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
    const r = await rawRequest(gw.port, [head, ...trickle('1\r\n \r\n', 40)], { gapMs: 100 });
    assert.equal(r.status, 408, r.text);
    assert.equal(r.closed, true);
  });

  test('a body that arrives in time is not affected', async () => {
    const res = await fetch(`${gw.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    assert.notEqual(res.status, 408);
    await res.arrayBuffer();
  });

  test('connections beyond connectionsPerBind are refused and counted; capacity comes back', async () => {
    const bind = gw.portcullis.gateway.addresses()[0]!.key;
    const before = await scrape(gw.statsUrl, 'portcullis_connections_rejected_total', { bind });
    const held: Socket[] = [];
    for (let i = 0; i < 3; i++) {
      const s = connect(gw.port, '127.0.0.1');
      s.on('error', () => undefined);
      await new Promise((r) => s.once('connect', r));
      held.push(s);
    }
    // The server counts a connection once it accepted it: wait until the 4th is the one refused.
    await eventually(async () => {
      const r = await rawRequest(gw.port, 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', {
        idleMs: 500,
      });
      return r.status === undefined && r.closed;
    });
    assert.ok((await scrape(gw.statsUrl, 'portcullis_connections_rejected_total', { bind })) > before);
    for (const s of held) s.destroy();
    await eventually(async () => {
      const r = await rawRequest(gw.port, 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      return r.status === 200;
    });
  });
});

describe('the head deadline does not cut slow responses or idle streams', () => {
  let gw: TestGateway;
  let upstream: Server;
  before(async () => {
    // Answers after 900 ms, three times the head deadline below.
    upstream = createServer((_req, res) => setTimeout(() => res.end('slow but fine'), 900));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    gw = await startGateway(
      `config:
  limits: {requestHeaderTimeout: 300ms}
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - host: "127.0.0.1:${port}"
`,
      { name: 'timeouts-slow' },
    );
  });
  after(async () => {
    await gw.stop();
    upstream.close();
  });

  test('a response slower than requestHeaderTimeout arrives, twice on one connection', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${gw.url}/x`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'slow but fine');
    }
  });
});
