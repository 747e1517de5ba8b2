/**
 * Backpressure on the streams the gateway writes, with real sockets that never read (`net.connect` +
 * `pause()`): a legacy SSE stream fed 150 × 1 MB answers, a Streamable HTTP POST answer streamed as
 * SSE with 150 × 1 MB notifications, and three clients of a plain host-backend
 * route whose upstream offers 150 MB each. The gateway's memory stays bounded: the SSE client is cut off
 * once more than `limits.streamBufferBytes` are queued, and the proxied upstream is paused while its
 * client does not read. Peak RSS is sampled while the test runs; nothing is timed.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { call, initBody, metric, post, stdioTarget, until } from './limits-helpers.js';

const MB = 1024 * 1024;
/** Allowed RSS growth while 150+ MB are pushed at clients that do not read. */
const BOUND = 100 * MB;

/** Samples RSS every 20 ms until stopped; returns the peak. */
function rssSampler(): { stop: () => number } {
  let peak = process.memoryUsage.rss();
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop: () => {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** A raw HTTP/1.1 GET whose response the test never reads (after `until` matched the bytes so far). */
async function stalledGet(
  port: number,
  path: string,
  readUntil?: RegExp,
): Promise<{ socket: Socket; head: string }> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let head = '';
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
      if (!readUntil) {
        socket.pause();
        resolve();
        return;
      }
      const onData = (c: Buffer): void => {
        head += c.toString();
        if (readUntil.test(head)) {
          socket.off('data', onData);
          socket.pause();
          resolve();
        }
      };
      socket.on('data', onData);
    });
  });
  return { socket, head };
}

describe('backpressure: slow readers stay bounded', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('a legacy SSE stream nobody reads is cut off at limits.streamBufferBytes while 150 × 1 MB answers are sent', async (t) => {
    const { stdio } = stdioTarget();
    const gw: TestGateway = await startGateway(
      `
config:
  limits: { streamBufferBytes: 4194304 }
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: limits
            stdio: ${stdio}
`,
      { name: 'mcp-backpressure-sse' },
    );
    cleanup.push(() => gw.stop());
    const { socket, head } = await stalledGet(gw.port, '/sse', /event: endpoint\ndata: [^\n]+\n\n/);
    cleanup.push(() => void socket.destroy());
    // A paused socket does not see its end: the cut-off shows as the session being gone (404).
    let cut = false;
    const endpoint = `${gw.url}${/data: ([^\n]+)/.exec(head)?.[1] ?? ''}`;
    const postSse = async (body: unknown): Promise<number> => {
      const r = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await r.text();
      return r.status;
    };
    const before = process.memoryUsage.rss();
    const rss = rssSampler();
    assert.equal(await postSse(initBody(1)), 202);
    assert.equal(await postSse({ jsonrpc: '2.0', method: 'notifications/initialized' }), 202);
    let accepted = 0;
    for (let i = 0; i < 150 && !cut; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, k) => postSse(call(10 + i + k, 'big', { bytes: MB }))),
      );
      accepted += batch.filter((s) => s === 202).length;
      cut = batch.some((s) => s === 404); // the session ended with its stream
    }
    // The answers are written as the upstream produces them: wait for the cut-off (or give up).
    await until(
      async () => (cut = (await postSse({ jsonrpc: '2.0', method: 'notifications/x' })) === 404),
      20_000,
    );
    const peak = rss.stop();
    t.diagnostic(`sse: ${accepted} answers accepted, RSS +${Math.round((peak - before) / MB)} MB`);
    assert.ok(cut, `the stalled SSE client was not cut off (${accepted} answers accepted)`);
    assert.ok(peak - before < BOUND, `RSS grew by ${Math.round((peak - before) / MB)} MB`);
    assert.equal(
      await metric(gw.statsUrl, 'portcullis_slow_clients_disconnected_total', { stream: 'mcp' }),
      1,
    );
    // The gateway still serves.
    const ok = await fetch(`${gw.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(initBody(1)),
    });
    assert.equal(ok.status, 200);
    await ok.text();
  });

  it('a Streamable HTTP POST answer streamed as SSE (150 × 1 MB log notifications) to a client that does not read is cut off', async (t) => {
    const { stdio } = stdioTarget();
    const gw: TestGateway = await startGateway(
      `
config:
  limits: { streamBufferBytes: 4194304 }
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: limits
            stdio: ${stdio}
`,
      { name: 'mcp-backpressure-post' },
    );
    cleanup.push(() => gw.stop());
    const init = await post(`${gw.url}/mcp`, initBody(1));
    const session = String(init.headers['mcp-session-id']);
    await post(
      `${gw.url}/mcp`,
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { 'mcp-session-id': session },
    );
    const before = process.memoryUsage.rss();
    const rss = rssSampler();
    const body = JSON.stringify(call(2, 'flood', { count: 150, bytes: MB }));
    const socket = connect(gw.port, '127.0.0.1');
    cleanup.push(() => void socket.destroy());
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.write(
          `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
            `Accept: text/event-stream, application/json\r\nMcp-Session-Id: ${session}\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        socket.pause();
        resolve();
      });
    });
    const cutOff = async (): Promise<boolean> =>
      (await metric(gw.statsUrl, 'portcullis_slow_clients_disconnected_total', { stream: 'mcp' })) === 1;
    const cut = await until(cutOff, 30_000);
    const peak = rss.stop();
    t.diagnostic(`post stream: RSS +${Math.round((peak - before) / MB)} MB`);
    assert.ok(cut, 'the stalled POST stream was not cut off');
    assert.ok(peak - before < BOUND, `RSS grew by ${Math.round((peak - before) / MB)} MB`);
    // The session itself still serves a reading client.
    const ok = await post(`${gw.url}/mcp`, call(3, 'big', { bytes: 5 }), { 'mcp-session-id': session });
    assert.equal(ok.status, 200);
  });

  it('three clients not reading a 150 MB host-backend response: the upstream is paused, memory stays flat', async (t) => {
    const SIZE = 150 * MB;
    const chunk = Buffer.alloc(64 * 1024, 'y');
    const written: number[] = [];
    const upstream: Server = createServer((req, res: ServerResponse) => {
      if (req.url === '/small') {
        res.end('small');
        return;
      }
      const i = written.push(0) - 1;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) });
      const pump = (): void => {
        while ((written[i] as number) < SIZE) {
          written[i] = (written[i] as number) + chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => res.off('drain', pump));
      pump();
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => upstream.close(() => r())));
    cleanup.push(() => upstream.closeAllConnections());
    const gw = await startGateway(
      `
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - host: "127.0.0.1:${(upstream.address() as AddressInfo).port}"
`,
      { name: 'mcp-backpressure-proxy' },
    );
    cleanup.push(() => gw.stop());
    const before = process.memoryUsage.rss();
    const rss = rssSampler();
    const clients = await Promise.all([1, 2, 3].map(() => stalledGet(gw.port, '/big')));
    for (const c of clients) cleanup.push(() => void c.socket.destroy());
    // Wait until the upstream stops making progress (paused by backpressure) or has sent everything.
    const total = (): number => written.reduce((a, b) => a + b, 0);
    let last = -1;
    let still = 0;
    await until(() => {
      const now = total();
      still = now === last ? still + 1 : 0;
      last = now;
      return (written.length === 3 && still >= 20) || now >= 3 * SIZE;
    }, 30_000);
    const peak = rss.stop();
    assert.equal(written.length, 3);
    assert.ok(total() < 3 * SIZE, `the upstream was never paused: ${Math.round(total() / MB)} MB sent`);
    assert.ok(peak - before < BOUND, `RSS grew by ${Math.round((peak - before) / MB)} MB`);
    for (const c of clients) c.socket.destroy();
    t.diagnostic(
      `proxy: upstream sent ${Math.round(total() / MB)} MB, RSS +${Math.round((peak - before) / MB)} MB`,
    );
    // The gateway still serves.
    const small = await fetch(`${gw.url}/small`);
    assert.equal(await small.text(), 'small');
  });
});
