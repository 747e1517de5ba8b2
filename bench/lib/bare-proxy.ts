/**
 * The bare byte-forwarding proxy: node:http in, `http.request` out on a keep-alive Agent, request and
 * response bodies piped through untouched, headers copied (hop-by-hop ones dropped). No parsing, no
 * MCP, no policies, no log — what one HTTP hop in node costs at least; the throughput and CPU
 * goals are ratios to it. Its own process, forked by hotpath.bench.ts:
 *
 *   node --import tsx bench/lib/bare-proxy.ts <upstream origin>
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isEntry, serveParent } from './child.js';

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te']);

function copy(h: IncomingHttpHeaders, host?: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const k in h) if (!HOP.has(k)) out[k] = h[k];
  if (host) out.host = host;
  return out;
}

export async function startBareProxy(origin: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(origin);
  const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });
  const server = createServer((req, res) => {
    const up = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: copy(req.headers, target.host),
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, copy(r.headers));
        r.pipe(res);
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-length': 0 });
      res.end();
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      agent.destroy();
    },
  };
}

if (isEntry(import.meta.url)) {
  const origin = process.argv[2];
  if (!origin) throw new Error('usage: bare-proxy.ts <upstream origin>');
  const proxy = await startBareProxy(origin);
  serveParent(proxy.url, proxy.close);
}
