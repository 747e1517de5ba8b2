/**
 * A floor for comparison: the least an HTTP hop can cost in node — node:http in, undici keep-alive
 * pool out, the body buffered and copied back with the MCP headers. No MCP awareness, no policies, no
 * logging: sessions are the upstream's own (Mcp-Session-Id passes through). In-process
 * (`startMinimalProxy`, overhead.bench.ts) or as its own process (gateway.bench.ts's `floor` side):
 *
 *   node --import tsx bench/lib/minimal-proxy.ts <upstream MCP URL> [--burn µs]
 *
 * `burnUs` spins the event loop that many µs per request (half on the way in, half on the way out),
 * without allocating: a floor that costs as much CPU as the gateway but has nothing else of it (no
 * garbage to collect, no MCP work) — to tell the latency that CPU cost alone explains from the rest.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { performance } from 'node:perf_hooks';
import { isEntry, serveParent } from './child.js';
import { numArg } from './stats.js';

const FORWARD = [
  'content-type',
  'accept',
  'authorization',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
];
const BACK = ['content-type', 'mcp-session-id'];

function pick(
  h: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
  names: readonly string[],
) {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = h[n];
    if (typeof v === 'string') out[n] = v;
  }
  return out;
}

/** Busy-wait `us` µs on the event loop, reading the clock every ~2,000 integer steps (no garbage). */
let sink = 0;
function spin(us: number): void {
  if (us <= 0) return;
  const until = performance.now() + us / 1000;
  let x = sink;
  do for (let i = 0; i < 2000; i++) x = (x * 31 + i) | 0;
  while (performance.now() < until);
  sink = x;
}

export async function startMinimalProxy(
  targetUrl: string,
  burnUs = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(targetUrl);
  const pool = new Pool(target.origin, { connections: 64, keepAliveTimeout: 60_000 });
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      spin(burnUs / 2);
      const method = req.method === 'DELETE' ? 'DELETE' : req.method === 'GET' ? 'GET' : 'POST';
      const r = await pool.request({
        path: target.pathname,
        method,
        headers: pick(req.headers, FORWARD),
        body: method === 'POST' ? Buffer.concat(chunks) : null,
      });
      const body = Buffer.from(await r.body.arrayBuffer());
      spin(burnUs / 2);
      res.writeHead(r.statusCode, { ...pick(r.headers, BACK), 'content-length': String(body.length) });
      res.end(body);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(e));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}

if (isEntry(import.meta.url)) {
  const target = process.argv[2];
  if (!target) throw new Error('usage: minimal-proxy.ts <upstream MCP URL> [--burn µs]');
  const proxy = await startMinimalProxy(target, numArg(process.argv, '--burn', 0));
  serveParent(proxy.url, proxy.close);
}
