/**
 * The fastest MCP upstream node can be: a raw JSON-RPC responder, not the SDK server, so what stands in
 * front of it is what a bench measures. Answers `initialize` (a fresh Mcp-Session-Id over HTTP),
 * notifications (202), `ping`, `tools/list` (`echo`, `get-sum`, `get-env` and fillers up to `--tools`,
 * serialized once), `tools/call` (`Echo: <message>`); a session id it never gave is still accepted (the
 * bench measures forwarding, not session bookkeeping). `--delay ms` answers every request that late
 * (the slow target of the multiplexed scenario); `connections` (a child command) counts the TCP
 * connections it accepted (keep-alive reuse by the side in front). Over HTTP (forked by the benches) or stdio (one JSON
 * message per line, the stdio scenario's server behind the gateway, mcp-proxy and supergateway):
 *
 *   node --import tsx bench/lib/fast-upstream.ts [--tools 50] [--delay ms] [--name fast]
 *   node --import tsx bench/lib/fast-upstream.ts --stdio [--tools 50]
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

interface Rpc {
  readonly id?: string | number | null;
  readonly method?: string;
  readonly params?: { readonly name?: string; readonly arguments?: Record<string, unknown> };
}

/** The JSON text of a `tools/list` result with `count` tools (the seed's three first). */
function toolsJson(count: number): string {
  const tools: unknown[] = [
    {
      name: 'echo',
      description: 'Echoes back the input',
      inputSchema: {
        type: 'object',
        properties: { message: { type: 'string' } },
        required: ['message'],
      },
    },
    {
      name: 'get-sum',
      description: 'Adds two numbers',
      inputSchema: {
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
      },
    },
    { name: 'get-env', description: 'Prints nothing secret', inputSchema: { type: 'object' } },
  ];
  for (let i = tools.length + 1; i <= count; i++) {
    tools.push({
      name: `tool-${String(i).padStart(3, '0')}`,
      description: `Filler tool number ${i}`,
      inputSchema: {
        type: 'object',
        properties: { text: { type: 'string' }, count: { type: 'number' } },
        required: ['text'],
      },
    });
  }
  return JSON.stringify({ tools });
}

/** The answer to one message (JSON text), or undefined for a notification. */
export function responder(toolCount: number, name = 'fast'): (m: Rpc) => string | undefined {
  const list = toolsJson(toolCount);
  const init = JSON.stringify({
    protocolVersion: '2025-06-18',
    capabilities: { tools: { listChanged: false } },
    serverInfo: { name, version: '1.0.0' },
  });
  return (m) => {
    if (m.id === undefined || m.id === null) return undefined;
    const id = JSON.stringify(m.id);
    let result: string;
    switch (m.method) {
      case 'initialize':
        result = init;
        break;
      case 'tools/list':
        result = list;
        break;
      case 'tools/call': {
        const args = m.params?.arguments ?? {};
        const text =
          m.params?.name === 'echo'
            ? `Echo: ${String(args.message)}`
            : m.params?.name === 'get-sum'
              ? String(Number(args.a) + Number(args.b))
              : String(args.text ?? '{}');
        result = `{"content":[{"type":"text","text":${JSON.stringify(text)}}]}`;
        break;
      }
      case 'ping':
        result = '{}';
        break;
      default:
        return `{"jsonrpc":"2.0","id":${id},"error":{"code":-32601,"message":"Method not found"}}`;
    }
    return `{"jsonrpc":"2.0","id":${id},"result":${result}}`;
  };
}

export async function serveFast(
  toolCount: number,
  delayMs = 0,
  name = 'fast',
): Promise<{ url: string; connections(): number; close(): Promise<void> }> {
  const answer = responder(toolCount, name);
  let accepted = 0;
  const reply = (res: ServerResponse, status: number, body: string, sid?: string): void => {
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    };
    if (sid) headers['mcp-session-id'] = sid;
    res.writeHead(status, headers);
    res.end(body);
  };
  const handle = (req: IncomingMessage, res: ServerResponse, text: string): void => {
    if (req.method === 'DELETE') return void res.writeHead(200, { 'content-length': 0 }).end();
    if (req.method !== 'POST') return void res.writeHead(405, { 'content-length': 0 }).end();
    let m: Rpc;
    try {
      m = JSON.parse(text) as Rpc;
    } catch {
      return reply(res, 400, '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
    }
    const out = answer(m);
    if (out === undefined) return void res.writeHead(202, { 'content-length': 0 }).end();
    reply(res, 200, out, m.method === 'initialize' ? randomUUID() : undefined);
  };
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString();
      if (delayMs > 0) setTimeout(() => handle(req, res, text), delayMs);
      else handle(req, res, text);
    });
  });
  http.keepAliveTimeout = 60_000;
  http.on('connection', () => void accepted++);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    connections: () => accepted,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** stdio: one JSON-RPC message per line in, one answer per line out. */
export function serveStdio(toolCount: number): void {
  const answer = responder(toolCount);
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    let out: string | undefined;
    try {
      out = answer(JSON.parse(line) as Rpc);
    } catch {
      out = '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}';
    }
    if (out !== undefined) process.stdout.write(out + '\n');
  });
  lines.on('close', () => process.exit(0));
}

const argv = process.argv.slice(2);
const num = (flag: string, fallback: number): number => {
  const i = argv.indexOf(flag);
  return i === -1 ? fallback : Number(argv[i + 1]);
};
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (argv.includes('--stdio')) serveStdio(num('--tools', 50));
  else {
    const { serveParent } = await import('./child.js');
    const nameAt = argv.indexOf('--name');
    const served = await serveFast(
      num('--tools', 50),
      num('--delay', 0),
      nameAt === -1 ? 'fast' : argv[nameAt + 1],
    );
    serveParent(served.url, served.close, { connections: async () => served.connections() });
  }
}
