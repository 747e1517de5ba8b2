import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createUpstreamFactory } from '../../src/mcp/upstream/factory.js';
import { startSeedServer } from '../fixtures/seed-server.js';
import { freePort, spawnEverything } from '../fixtures/spawn.js';
import { Driver, firstText, recordingTelemetry, target, type Json } from './driver.js';

const quiet = pino({ level: 'silent' });

describe('legacy SSE upstream', () => {
  const factory = createUpstreamFactory({ telemetry: recordingTelemetry() });
  after(() => factory.close());
  const sse = (name: string, url: string, extra: Json = {}) => target(name, { kind: 'sse', url, ...extra });

  it('initialize → tools/list → tools/call against server-everything (child process)', async (t) => {
    const everything = await spawnEverything('sse');
    t.after(() => everything.close());
    const up = factory.create(sse('everything', everything.url), { logger: quiet });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await up.start();
    const init = await rpc.initialize();
    assert.equal((init.serverInfo as Json).name, 'mcp-servers/everything');
    const list = await rpc.call('tools/list');
    assert.ok((list.tools as { name: string }[]).some((x) => x.name === 'echo'));
    const echoed = await rpc.call('tools/call', { name: 'echo', arguments: { message: 'over sse' } });
    assert.match(firstText(echoed), /over sse/);

    // The session lives with the stream: when the server goes away, onclose says so.
    await everything.close();
    const reason = await rpc.closed;
    assert.match(reason!.message, /^target "everything" failed: the SSE stream (ended|broke)/);
  });

  it('sends the start() headers on the stream and the per-send headers on each POST', async (t) => {
    const seed = await startSeedServer();
    t.after(() => seed.close());
    const up = factory.create(sse('seed', seed.sseUrl), { logger: quiet });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await up.start({ headers: { authorization: 'Bearer on-get' } });
    await rpc.initialize({ headers: { authorization: 'Bearer on-post' } });
    const res = await rpc.call('tools/call', { name: 'add', arguments: { a: 1, b: 2 } });
    assert.equal(firstText(res), 'The sum of 1 and 2 is 3.');
    assert.equal(seed.requests.find((r) => r.method === 'GET')!.headers.authorization, 'Bearer on-get');
    assert.equal(seed.requests.find((r) => r.method === 'POST')!.headers.authorization, 'Bearer on-post');
    await up.close();
    assert.equal(await rpc.closed, undefined);
  });

  it('rejects start() naming the target when the server is unreachable or not SSE', async (t) => {
    const port = await freePort();
    const down = factory.create(sse('sse1', `http://127.0.0.1:${port}/sse`), { logger: quiet });
    await assert.rejects(down.start(), {
      message: 'target "sse1" failed: connection refused',
      code: 'UPSTREAM_CONNECT_REFUSED',
    });

    const srv = createServer((_req, res) => void res.writeHead(404).end());
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => srv.close(() => resolve())));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/sse`;
    await assert.rejects(factory.create(sse('sse2', url), { logger: quiet }).start(), {
      message: 'target "sse2" failed: HTTP 404 Not Found',
      code: 'UPSTREAM_HTTP_STATUS',
      httpStatus: 404,
    });
  });

  it('refuses an endpoint on another origin', async (t) => {
    const srv = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: endpoint\ndata: http://elsewhere.example/messages\n\n');
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      srv.closeAllConnections();
      return new Promise<void>((resolve) => srv.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/sse`;
    await assert.rejects(factory.create(sse('sse3', url), { logger: quiet }).start(), {
      message: 'target "sse3" failed: the endpoint event names another origin',
      code: 'UPSTREAM_PROTOCOL',
    });
  });
});
