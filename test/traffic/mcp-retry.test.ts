/**
 * `retry` on an `mcp` backend: a Streamable HTTP upstream that answers 503 to the next N requests of a
 * method (a faulty front in this test, before a real MCP server). Safe methods (`tools/list`) are sent
 * again up to `attempts`; `tools/call` is sent once unless `retryNonIdempotent: true`; a status not in
 * `codes` is not retried.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSeedServer } from '../fixtures/seed-server.js';
import type { ServedFixture } from '../fixtures/serve.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect } from '../helpers/mcp-client.js';

/** Fails the next `n` POSTs of `method` with `status`, forwards everything else; counts what it saw. */
class FaultyFront {
  readonly seen: string[] = [];
  private failing: { method: string; n: number; status: number } | undefined;
  private constructor(readonly server: Server) {}

  static async start(target: string): Promise<FaultyFront> {
    const up = new URL(target);
    const ref: { self?: FaultyFront } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        let method = req.method ?? '';
        try {
          method = (JSON.parse(body.toString()) as { method?: string }).method ?? method;
        } catch {
          /* GET / DELETE */
        }
        ref.self!.seen.push(method);
        const f = ref.self!.failing;
        if (f && f.method === method && f.n > 0) {
          f.n--;
          res.writeHead(f.status, { 'content-type': 'text/plain' }).end('try again later');
          return;
        }
        const fwd = request(
          { host: up.hostname, port: up.port, path: up.pathname, method: req.method, headers: req.headers },
          (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
          },
        );
        fwd.on('error', () => res.destroy());
        fwd.end(body);
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    ref.self = new FaultyFront(server);
    return ref.self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/mcp`;
  }
  fail(method: string, n: number, status = 503): void {
    this.failing = { method, n, status };
  }
  count(method: string): number {
    return this.seen.filter((m) => m === method).length;
  }
}

const config = (url: string, unsafe = false) => `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        retry:
          attempts: 3
          backoff: 10ms
          codes: [503]${unsafe ? '\n          retryNonIdempotent: true' : ''}
      backends:
      - mcp:
          targets:
          - name: seed
            mcp: {host: "${url}"}
`;

describe('retry on an mcp backend', () => {
  let seed: ServedFixture;
  let front: FaultyFront;
  let gw: TestGateway;
  let unsafeGw: TestGateway;

  before(async () => {
    seed = await startSeedServer();
    front = await FaultyFront.start(seed.url);
    gw = await startGateway(config(front.url), { name: 'mcp-retry' });
    unsafeGw = await startGateway(config(front.url, true), { name: 'mcp-retry-unsafe' });
  });
  after(async () => {
    await gw?.stop();
    await unsafeGw?.stop();
    front?.server.close();
    await seed?.close();
  });

  test('a safe method is sent again until it succeeds, within attempts', async (t) => {
    const c = await connect(`${gw.url}/mcp`);
    t.after(() => c.close());
    const before = front.count('tools/list');
    front.fail('tools/list', 2);
    const tools = (await c.listTools()).tools.map((x) => x.name);
    assert.ok(tools.includes('add'), tools.join());
    assert.equal(front.count('tools/list') - before, 3, 'two failures, then the answer');
  });

  test('more failures than attempts: the client gets the upstream error', async (t) => {
    const c = await connect(`${gw.url}/mcp`);
    t.after(() => c.close());
    const before = front.count('tools/list');
    front.fail('tools/list', 5);
    await assert.rejects(c.listTools(), /HTTP 503/);
    assert.equal(front.count('tools/list') - before, 3);
    front.fail('tools/list', 0);
  });

  test('tools/call is not idempotent: sent once', async (t) => {
    const c = await connect(`${gw.url}/mcp`);
    t.after(() => c.close());
    const before = front.count('tools/call');
    front.fail('tools/call', 1);
    await assert.rejects(c.callTool({ name: 'add', arguments: { a: 1, b: 2 } }), /HTTP 503/);
    assert.equal(front.count('tools/call') - before, 1);
  });

  test('retryNonIdempotent: true retries tools/call too', async (t) => {
    const c = await connect(`${unsafeGw.url}/mcp`);
    t.after(() => c.close());
    const before = front.count('tools/call');
    front.fail('tools/call', 1);
    const r = await c.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    assert.match(JSON.stringify(r.content), /\b3\b/);
    assert.equal(front.count('tools/call') - before, 2);
  });

  test('a status not in codes is not retried', async (t) => {
    const c = await connect(`${gw.url}/mcp`);
    t.after(() => c.close());
    const before = front.count('tools/list');
    front.fail('tools/list', 1, 500);
    await assert.rejects(c.listTools(), /HTTP 500/);
    assert.equal(front.count('tools/list') - before, 1);
    front.fail('tools/list', 0);
  });
});
