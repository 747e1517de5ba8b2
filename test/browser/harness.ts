/**
 * The Playground's test world without the gateway: a real MCP server (the SDK's, over Streamable HTTP
 * and legacy SSE) that plays the gateway's part — it reads the bearer token (claims only: this is a
 * stand-in, the gateway verifies), rejects expired tokens with a 401 like jwtAuth, lists only the tools
 * the identity may use and answers a denied call with -32602 "Unknown tool" — plus the admin server
 * with a fake AdminBackend pointing at it. Every HTTP request is recorded with its Authorization header.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { generateKeyPair, SignJWT } from 'jose';
import { startAdminServer, type RunningServer } from '../../src/admin/server.js';
import type { AdminBackend, EndpointInfo, ExplainItem } from '../../src/admin/types.js';

type Claims = Record<string, unknown>;

interface Rule {
  readonly source: string;
  readonly test: (tool: string, claims: Claims | null) => boolean;
}

/** The seed example's rules, evaluated in JS for the stand-in. */
export const RULES: readonly Rule[] = [
  { source: 'mcp.tool.name == "echo"', test: (t) => t === 'echo' },
  {
    source: 'mcp.tool.name in ["tinyImage", "configure"]',
    test: (t) => t === 'tinyImage' || t === 'configure',
  },
  {
    source: 'jwt.sub == "test-user" && mcp.tool.name == "add"',
    test: (t, c) => c?.['sub'] === 'test-user' && t === 'add',
  },
  {
    source: 'mcp.tool.name == "printEnv" && jwt.nested.key == "value"',
    test: (t, c) => t === 'printEnv' && (c?.['nested'] as Claims | undefined)?.['key'] === 'value',
  },
];

function decide(tool: string, claims: Claims | null): { allowed: boolean; index: number } {
  const index = RULES.findIndex((r) => r.test(tool, claims));
  return { allowed: index >= 0, index };
}

/** A 24×24 orange PNG, for the image rendering test. */
function orangePng(): string {
  const size = 24;
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, Buffer.from([0xf2, 0x8c, 0x28]))]);
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: size }, () => row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]).toString('base64');
}
const PNG = orangePng();

export const TOOLS: readonly Tool[] = [
  {
    name: 'echo',
    description: 'Echoes back the input',
    inputSchema: {
      type: 'object',
      properties: { message: { type: 'string', description: 'Message to echo' } },
      required: ['message'],
    },
  },
  {
    name: 'add',
    description: 'Adds two numbers',
    inputSchema: {
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    },
  },
  {
    name: 'printEnv',
    description: "Prints the server's environment",
    inputSchema: { type: 'object', properties: {} },
  },
  {
    name: 'tinyImage',
    description: 'Returns a small image',
    inputSchema: { type: 'object', properties: {} },
  },
  {
    name: 'configure',
    description: 'Echoes its arguments as JSON (every kind of input)',
    inputSchema: {
      type: 'object',
      properties: {
        mode: { type: 'string', enum: ['fast', 'safe'], description: 'How to run' },
        count: { type: 'integer', description: 'How many' },
        verbose: { type: 'boolean' },
        tags: { type: 'array', items: { type: 'string' } },
        options: { type: 'object' },
      },
      required: ['mode', 'count'],
    },
  },
];

function call(name: string, args: Record<string, unknown>, claims: Claims | null) {
  switch (name) {
    case 'echo':
      return { content: [{ type: 'text', text: `Echo: ${String(args['message'])}` }] };
    case 'add':
      return { content: [{ type: 'text', text: `The sum is ${Number(args['a']) + Number(args['b'])}.` }] };
    case 'printEnv':
      return {
        content: [{ type: 'text', text: JSON.stringify({ HOME: '/home/test', SUB: claims?.['sub'] }) }],
      };
    case 'tinyImage':
      return { content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] };
    default:
      return { content: [{ type: 'text', text: JSON.stringify(args) }] };
  }
}

function createMcpServer(claims: Claims | null): Server {
  const server = new Server(
    { name: 'harness', version: '1.0.0' },
    { capabilities: { tools: {}, prompts: {}, resources: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: TOOLS.filter((t) => decide(t.name, claims).allowed),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const { name, arguments: args = {} } = req.params;
    if (!TOOLS.some((t) => t.name === name) || !decide(name, claims).allowed) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    }
    return call(name, args, claims);
  });
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: [{ name: 'greeting', description: 'A greeting', arguments: [{ name: 'name', required: true }] }],
  }));
  server.setRequestHandler(GetPromptRequestSchema, async (req) => ({
    messages: [
      {
        role: 'user',
        content: { type: 'text', text: `Say hello to ${String(req.params.arguments?.['name'])}.` },
      },
    ],
  }));
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: [{ uri: 'harness://readme', name: 'readme', mimeType: 'text/plain' }],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (req) => ({
    contents: [{ uri: req.params.uri, mimeType: 'text/plain', text: 'This is the harness.' }],
  }));
  return server;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly origin: string | undefined;
  /** The Mcp-Session-Id header, if any. */
  readonly session: string | undefined;
}

export function claimsOf(token: string | undefined): Claims | null {
  if (!token) return null;
  const payload = token.split('.')[1];
  return payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims) : null;
}

function bearer(req: IncomingMessage): string | undefined {
  return /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

export interface McpHarness {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** The stand-in MCP endpoint: `/mcp` and `/sse` with CORS, `/nocors/mcp` without. */
export async function startMcpHarness(): Promise<McpHarness> {
  const requests: RecordedRequest[] = [];
  const streamable = new Map<string, StreamableHTTPServerTransport>();
  const sse = new Map<string, SSEServerTransport>();
  const servers: Server[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      authorization: req.headers.authorization,
      origin: req.headers.origin,
      session: typeof req.headers['mcp-session-id'] === 'string' ? req.headers['mcp-session-id'] : undefined,
    });
    const cors = !url.pathname.startsWith('/nocors');
    if (cors && req.headers.origin) {
      res.setHeader('access-control-allow-origin', req.headers.origin);
      res.setHeader('access-control-expose-headers', 'Mcp-Session-Id, WWW-Authenticate');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, DELETE',
          'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '',
          'access-control-max-age': '0',
        });
        res.end();
        return;
      }
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      res.end();
      return;
    }
    // jwtAuth's part: an expired token is rejected before anything else.
    const token = bearer(req);
    const claims = claimsOf(token);
    if (claims && typeof claims['exp'] === 'number' && claims['exp'] * 1000 < Date.now()) {
      res.writeHead(401, {
        'content-type': 'text/plain',
        'www-authenticate': 'Bearer error="invalid_token", error_description="token expired"',
      });
      res.end('authentication failed: token expired\n');
      return;
    }
    if (url.pathname === '/sse' && req.method === 'GET') {
      const t = new SSEServerTransport('/messages', res);
      sse.set(t.sessionId, t);
      t.onclose = () => sse.delete(t.sessionId);
      const server = createMcpServer(claims);
      servers.push(server);
      await server.connect(t);
      return;
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      const t = sse.get(url.searchParams.get('sessionId') ?? '');
      if (!t) return void res.writeHead(404).end('Session not found');
      await t.handlePostMessage(req, res);
      return;
    }
    if (url.pathname !== '/mcp' && url.pathname !== '/nocors/mcp')
      return void res.writeHead(404).end('not found');
    const sid = req.headers['mcp-session-id'];
    const existing = typeof sid === 'string' ? streamable.get(sid) : undefined;
    if (existing) return existing.handleRequest(req, res);
    if (typeof sid === 'string') return void res.writeHead(404).end('Session not found');
    const t = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void streamable.set(id, t),
    });
    t.onclose = () => {
      if (t.sessionId) streamable.delete(t.sessionId);
    };
    const server = createMcpServer(claims);
    servers.push(server);
    await server.connect(t);
    await t.handleRequest(req, res);
  }

  const http: HttpServer = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    },
  };
}

/** Real signed JWTs (RS256) in the seed example's shapes; the harness only reads their claims. */
export async function demoTokens(): Promise<{ example1: string; example2: string; expired: string }> {
  const { privateKey } = await generateKeyPair('RS256');
  const sign = (claims: Claims, exp: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'harness' })
      .setIssuer('agentgateway.dev')
      .setAudience('test.agentgateway.dev')
      .setExpirationTime(exp)
      .sign(privateKey);
  const hour = Math.floor(Date.now() / 1000) + 3600;
  return {
    example1: await sign({ sub: 'test-user', nested: { key: 'value' } }, hour),
    example2: await sign({ sub: 'test-user' }, hour),
    expired: await sign({ sub: 'test-user' }, Math.floor(Date.now() / 1000) - 7200),
  };
}

export interface Harness {
  readonly mcp: McpHarness;
  readonly admin: RunningServer;
  readonly tokens: Awaited<ReturnType<typeof demoTokens>>;
  readonly endpoints: EndpointInfo[];
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const mcp = await startMcpHarness();
  const tokens = await demoTokens();
  const common = { listener: 'listener0/bind/3000', kind: 'mcp', auth: true } as const;
  const endpoints: EndpointInfo[] = [
    {
      ...common,
      url: `${mcp.url}/mcp`,
      path: '/mcp',
      sseUrl: `${mcp.url}/sse`,
      route: 'harness/route0',
      transports: ['streamable', 'sse'],
      cors: true,
    },
    {
      ...common,
      url: `${mcp.url}/nocors/mcp`,
      path: '/nocors/mcp',
      route: 'harness/nocors',
      transports: ['streamable'],
      cors: false,
    },
  ];
  const backend = harnessBackend(endpoints, tokens);
  const admin = await startAdminServer(backend, { host: '127.0.0.1', port: 0 });
  return {
    mcp,
    admin,
    tokens,
    endpoints,
    async close() {
      await admin.close();
      await mcp.close();
    },
  };
}

function harnessBackend(endpoints: EndpointInfo[], tokens: Harness['tokens']): AdminBackend {
  const reload = { ok: true, at: new Date().toISOString(), errors: [], restartRequired: [] };
  return {
    configJson: () => ({ binds: [{ port: 3000, listeners: [{ routes: [] }] }] }),
    configDump: () => ({}),
    writeConfig: async () => undefined,
    configYaml: () => 'binds:\n- port: 3000\n  listeners:\n  - routes: []\n',
    writeConfigYaml: async () => undefined,
    reloadStatus: () => reload,
    sessions: () => [],
    async explain(token) {
      const claims = claimsOf(token);
      const expired = claims && typeof claims['exp'] === 'number' && claims['exp'] * 1000 < Date.now();
      const who = expired ? null : claims;
      const items: ExplainItem[] = TOOLS.map((t) => {
        const d = decide(t.name, who);
        const rule = RULES[d.index];
        return {
          route: 'harness/route0',
          kind: 'tool',
          target: 'harness',
          name: t.name,
          exposedName: t.name,
          allowed: d.allowed,
          ...(rule
            ? {
                rule: {
                  index: d.index,
                  ref: `rules[${d.index}]`,
                  effect: 'allow' as const,
                  source: rule.source,
                },
              }
            : {}),
          reason: rule ? `allowed by rules[${d.index}]` : 'no rule allowed it',
        };
      });
      return { identity: expired ? { claims: null, error: 'token expired' } : { claims: who }, items };
    },
    endpoints: () => endpoints,
    demoTokens: () => [
      { name: 'example1', token: tokens.example1, description: 'sub=test-user, nested.key=value' },
      { name: 'example2', token: tokens.example2, description: 'sub=test-user' },
    ],
    summary: () => ({
      version: 'test',
      configFile: '/tmp/config.yaml',
      reload,
      listeners: [],
      routes: [],
      targets: [
        {
          name: 'harness',
          kind: 'mcp',
          detail: endpoints[0]!.url,
          route: 'harness/route0',
          backend: 'mcp',
          status: 'ok',
        },
      ],
      sessions: 0,
    }),
    logLevel: () => 'info',
    setLogLevel: () => undefined,
    quit: () => undefined,
    ready: () => ({ ready: true, pending: [] }),
  };
}
