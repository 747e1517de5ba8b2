/**
 * The benchmark's upstream: an SDK McpServer over StreamableHTTPServerTransport on node:http, stateful
 * sessions, JSON responses (no SSE framing), so the upstream itself is as cheap as the SDK allows.
 * Tools: `echo`, `get-sum`, `get-env` (the seed's three, today's names) and fillers up to `--tools`.
 *
 *   node --import tsx bench/lib/upstream-server.ts --tools 50      (forked by gateway.bench.ts)
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { isEntry, serveParent } from './child.js';
import { numArg } from './stats.js';

export function createBenchServer(toolCount: number): McpServer {
  const mcp = new McpServer({ name: 'bench-upstream', version: '1.0.0' });
  mcp.registerTool(
    'echo',
    { description: 'Echoes back the input', inputSchema: { message: z.string() } },
    async ({ message }) => ({ content: [{ type: 'text', text: `Echo: ${message}` }] }),
  );
  mcp.registerTool(
    'get-sum',
    { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
  );
  mcp.registerTool('get-env', { description: 'Prints nothing secret' }, async () => ({
    content: [{ type: 'text', text: '{}' }],
  }));
  for (let i = 4; i <= toolCount; i++) {
    const name = `tool-${String(i).padStart(2, '0')}`;
    mcp.registerTool(
      name,
      {
        description: `Filler tool number ${i}`,
        inputSchema: { text: z.string(), count: z.number().optional() },
      },
      async ({ text }) => ({ content: [{ type: 'text', text }] }),
    );
  }
  return mcp;
}

export async function serveBench(
  toolCount: number,
): Promise<{ url: string; sessions: () => number; close(): Promise<void> }> {
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!req.url?.startsWith('/mcp')) return void res.writeHead(404).end();
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const sid = req.headers['mcp-session-id'];
    if (typeof sid === 'string') {
      const entry = sessions.get(sid);
      if (!entry)
        return sendJson(res, 404, {
          jsonrpc: '2.0',
          id: null,
          error: { code: -32001, message: 'Session not found' },
        });
      return entry.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || (body as { method?: unknown } | undefined)?.method !== 'initialize') {
      return sendJson(res, 400, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32000, message: 'Mcp-Session-Id required' },
      });
    }
    const server = createBenchServer(toolCount);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { jsonrpc: '2.0', id: null, error: { code: -32603, message: String(e) } });
      else res.end();
    });
  });
  http.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    sessions: () => sessions.size,
    close: async () => {
      await Promise.all([...sessions.values()].map((s) => s.server.close().catch(() => undefined)));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

if (isEntry(import.meta.url)) {
  const served = await serveBench(numArg(process.argv, '--tools', 50));
  serveParent(served.url, served.close);
}
