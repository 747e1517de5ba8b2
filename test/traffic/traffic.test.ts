/**
 * retry, requestMirror, transformations, requestRedirect and urlRewrite through the running gateway,
 * with real HTTP upstreams started here (an echo server that can fail its first N requests, a mirror
 * that records what it got, a mirror that never answers).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Upstream {
  readonly host: string;
  readonly seen: Seen[];
  /** The next `n` requests fail: 'status' answers 503, 'reset' drops the connection. */
  fail(n: number, how?: 'status' | 'reset'): void;
  close(): Promise<void>;
}

async function startUpstream(answer?: (s: Seen, res: ServerResponse) => void): Promise<Upstream> {
  const seen: Seen[] = [];
  let failures = 0;
  let how: 'status' | 'reset' = 'status';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = {
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(s);
      if (failures > 0) {
        failures--;
        if (how === 'reset') return void req.socket.destroy();
        res.writeHead(503, { 'content-type': 'text/plain' });
        return void res.end('try later');
      }
      if (answer) return answer(s, res);
      const body = JSON.stringify(s);
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'echo' });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as { port: number }).port}`,
    seen,
    fail(n, h = 'status') {
      failures = n;
      how = h;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const rpc = (method: string) => JSON.stringify({ jsonrpc: '2.0', id: 7, method, params: {} });
const postJson = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

async function metric(gw: TestGateway, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${gw.statsUrl}/metrics`)).text();
  const m = pattern.exec(text);
  return m ? Number(m[1]) : NaN;
}

describe('retry', () => {
  let up: Upstream;
  let gw: TestGateway;
  before(async () => {
    up = await startUpstream();
    gw = await startGateway(
      `binds:
- port: 0
  listeners:
  - routes:
    - name: safe
      matches: [{path: {pathPrefix: /safe}}]
      policies:
        retry: {attempts: 3, backoff: 10ms, codes: [503]}
      backends:
      - host: ${up.host}
    - name: unsafe-too
      matches: [{path: {pathPrefix: /any}}]
      policies:
        retry: {attempts: 3, codes: [503], retryNonIdempotent: true}
      backends:
      - host: ${up.host}
`,
      { name: 'retry' },
    );
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  test('an upstream that fails twice (503, then a dropped connection) is retried until it answers', async () => {
    up.fail(2);
    const n = up.seen.length;
    const r = await fetch(`${gw.url}/safe/x`);
    assert.equal(r.status, 200);
    await r.body?.cancel();
    assert.equal(up.seen.length - n, 3);
    up.fail(2, 'reset');
    const r2 = await postJson(`${gw.url}/safe/y`, '{"a":1}');
    assert.equal(r2.status, 200);
    assert.equal(((await r2.json()) as Seen).body, '{"a":1}', 'the body is replayed on every attempt');
    await eventually(() => gw.logs.find((l) => l['retry.attempt'] === 3));
    assert.ok((await metric(gw, /^portcullis_retries_total (\d+)/m)) >= 4);
  });

  test('attempts run out: the last answer is returned', async () => {
    up.fail(5);
    const r = await fetch(`${gw.url}/safe/z`);
    assert.equal(r.status, 503);
    assert.equal(await r.text(), 'try later');
    up.fail(0);
  });

  test('MCP: tools/call is not retried, tools/list is; retryNonIdempotent retries both', async () => {
    up.fail(1);
    let n = up.seen.length;
    const call = await postJson(`${gw.url}/safe/mcp`, rpc('tools/call'));
    assert.equal(call.status, 503);
    await call.body?.cancel();
    assert.equal(up.seen.length - n, 1, 'a tool call is sent once');
    up.fail(1);
    n = up.seen.length;
    const list = await postJson(`${gw.url}/safe/mcp`, rpc('tools/list'));
    assert.equal(list.status, 200);
    await list.body?.cancel();
    assert.equal(up.seen.length - n, 2);
    up.fail(1);
    n = up.seen.length;
    const forced = await postJson(`${gw.url}/any/mcp`, rpc('tools/call'));
    assert.equal(forced.status, 200);
    await forced.body?.cancel();
    assert.equal(up.seen.length - n, 2);
  });
});

describe('requestMirror', () => {
  let main: Upstream;
  let mirror: Upstream;
  let black: Server;
  let blackHost = '';
  let gw: TestGateway;
  before(async () => {
    main = await startUpstream();
    mirror = await startUpstream();
    // Accepts connections and never answers.
    black = createServer(() => {});
    await new Promise<void>((r) => black.listen(0, '127.0.0.1', r));
    blackHost = `127.0.0.1:${(black.address() as { port: number }).port}`;
    gw = await startGateway(
      `config:
  limits:
    mirrorRequestsInFlight: 3
    mirrorTimeout: 300ms
binds:
- port: 0
  listeners:
  - routes:
    - name: recorded
      matches: [{path: {pathPrefix: /rec}}]
      policies:
        requestMirror: {backend: {host: ${mirror.host}}, percentage: 1.0}
      backends:
      - host: ${main.host}
    - name: blackhole
      matches: [{path: {pathPrefix: /hole}}]
      policies:
        requestMirror: {backend: {host: ${blackHost}}, percentage: 1.0}
      backends:
      - host: ${main.host}
`,
      { name: 'mirror' },
    );
  });
  after(async () => {
    await gw.stop();
    black.closeAllConnections();
    black.close();
    await main.close();
    await mirror.close();
  });

  test('the mirror gets the same method, path, headers and body; the client gets the main answer', async () => {
    const r = await postJson(`${gw.url}/rec/tools?x=1`, '{"hello":"mirror"}', { 'x-trace-me': 'yes' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-upstream'), 'echo');
    await r.body?.cancel();
    const copy = await eventually(() => mirror.seen.find((s) => s.url === '/rec/tools?x=1'));
    assert.equal(copy.method, 'POST');
    assert.equal(copy.body, '{"hello":"mirror"}');
    assert.equal(copy.headers['x-trace-me'], 'yes');
  });

  test('hostile: a mirror that never answers does not slow clients; copies beyond the bound are dropped and counted', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => fetch(`${gw.url}/hole/x`)));
    for (const r of answers) {
      assert.equal(r.status, 200);
      await r.body?.cancel();
    }
    assert.ok((await metric(gw, /^portcullis_mirror_requests_total\{result="dropped"\} (\d+)/m)) >= 7);
    // Abandoned after mirrorTimeout: nothing stays in flight.
    await eventually(async () => (await metric(gw, /^portcullis_mirror_requests_in_flight (\d+)/m)) === 0);
    assert.ok((await metric(gw, /^portcullis_mirror_requests_total\{result="failed"\} (\d+)/m)) >= 3);
  });
});

describe('transformations, requestRedirect, urlRewrite', () => {
  let up: Upstream;
  let gw: TestGateway;
  before(async () => {
    up = await startUpstream();
    gw = await startGateway(
      `binds:
- port: 0
  listeners:
  - routes:
    - name: transform
      matches: [{path: {pathPrefix: /t}}]
      policies:
        transformations:
          request:
            set:
              x-user: 'request.headers["x-name"] + "!"'
            add:
              x-tags: '"gw"'
            remove: [x-drop]
            body: '{"wrapped": body, "n": body.n + 1}'
          response:
            set:
              x-status: 'string(response.code)'
            body: '{"user": body.headers["x-user"], "sent": body.body}'
      backends:
      - host: ${up.host}
    - name: moved
      matches: [{path: {pathPrefix: /old}}]
      policies:
        requestRedirect:
          scheme: https
          authority: {host: example.com}
          path: {prefix: /new}
          status: 301
    - name: rewritten
      matches: [{path: {pathPrefix: /api}}]
      policies:
        urlRewrite:
          path: {prefix: /v2}
          authority: {full: internal.test}
      backends:
      - host: ${up.host}
`,
      { name: 'transformations' },
    );
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  test('request and response headers and JSON bodies are rewritten by CEL', async () => {
    const r = await postJson(`${gw.url}/t/x`, '{"n": 41}', {
      'x-name': 'ann',
      'x-drop': 'secret',
      'x-tags': 'c',
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-status'), '200');
    const out = (await r.json()) as { user: string; sent: string };
    assert.equal(out.user, 'ann!');
    assert.deepEqual(JSON.parse(out.sent), { wrapped: { n: 41 }, n: 42 });
    const got = up.seen.at(-1)!;
    assert.equal(got.headers['x-drop'], undefined);
    assert.equal(got.headers['x-tags'], 'c, gw');
  });

  test('requestRedirect answers with the rewritten Location; the backend is not called', async () => {
    const n = up.seen.length;
    const r = await fetch(`${gw.url}/old/a/b?x=1`, { redirect: 'manual' });
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), 'https://example.com/new/a/b?x=1');
    assert.equal(up.seen.length, n);
  });

  test('urlRewrite replaces the matched prefix and the Host the backend sees', async () => {
    const r = await fetch(`${gw.url}/api/items?q=2`);
    const seen = (await r.json()) as Seen;
    assert.equal(seen.url, '/v2/items?q=2');
    assert.equal(seen.headers.host, 'internal.test');
  });
});

describe('buffered body bounds', () => {
  let main: Upstream;
  let mirror: Upstream;
  let gw: TestGateway;
  before(async () => {
    main = await startUpstream();
    mirror = await startUpstream();
    gw = await startGateway(
      `config:
  limits:
    bufferedBodyBytes: 1024
    mirrorBytesInFlight: 100
binds:
- port: 0
  listeners:
  - routes:
    - policies:
        requestMirror: {backend: {host: ${mirror.host}}, percentage: 1.0}
        retry: {attempts: 2, codes: [503]}
      backends:
      - host: ${main.host}
`,
      { name: 'body-bounds' },
    );
  });
  after(async () => {
    await gw.stop();
    await main.close();
    await mirror.close();
  });

  test('a copy whose body exceeds mirrorBytesInFlight is dropped; the request itself goes through', async () => {
    const r = await postJson(`${gw.url}/big`, JSON.stringify({ pad: 'x'.repeat(500) }));
    assert.equal(r.status, 200);
    await r.body?.cancel();
    assert.equal(await metric(gw, /^portcullis_mirror_requests_total\{result="dropped"\} (\d+)/m), 1);
    const small = await postJson(`${gw.url}/small`, '{}');
    assert.equal(small.status, 200);
    await small.body?.cancel();
    await eventually(() => mirror.seen.find((s) => s.url === '/small'));
    assert.ok(!mirror.seen.some((s) => s.url === '/big'));
  });

  test('a body over bufferedBodyBytes is refused with 413 before any upstream call', async () => {
    const n = main.seen.length;
    const r = await postJson(`${gw.url}/huge`, JSON.stringify({ pad: 'x'.repeat(4096) }));
    assert.equal(r.status, 413);
    await r.body?.cancel();
    assert.equal(main.seen.length, n);
  });
});
