/**
 * A floor for comparison: the least an HTTP hop can cost in node — node:http in, undici keep-alive
 * pool out, the body buffered and copied back with the MCP headers. No MCP awareness, no policies, no
 * logging: sessions are the upstream's own (Mcp-Session-Id passes through).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

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

export async function startMinimalProxy(targetUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(targetUrl);
  const pool = new Pool(target.origin, { connections: 64, keepAliveTimeout: 60_000 });
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const method = req.method === 'DELETE' ? 'DELETE' : req.method === 'GET' ? 'GET' : 'POST';
      const r = await pool.request({
        path: target.pathname,
        method,
        headers: pick(req.headers, FORWARD),
        body: method === 'POST' ? Buffer.concat(chunks) : null,
      });
      const body = Buffer.from(await r.body.arrayBuffer());
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
