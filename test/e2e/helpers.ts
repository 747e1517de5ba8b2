/**
 * Shared pieces of the end-to-end tests (issues 4 and 6): a real Streamable HTTP MCP upstream that
 * records every request's headers, real signing keys and JWTs, and raw MCP-over-HTTP calls that show
 * the status, headers and body the gateway sent (the SDK client hides those).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { TestContext } from 'node:test';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { AUDIENCE, ISSUER, jwksText, makeKey, signToken, type TestKey } from '../authn/helpers.js';
import {
  eventually,
  startGateway as startInProcess,
  type StartOptions,
  type TestGateway,
} from '../helpers/gateway.js';
import { startRedis } from '../helpers/redis-server.js';

export { AUDIENCE, ISSUER };

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

/** What the end-to-end tests use of a gateway, however it runs. */
export type E2eGateway = Pick<TestGateway, 'url' | 'port' | 'logs' | 'stop'>;

/** Workers of the CLI gateway the e2e tests run against (`PORTCULLIS_TEST_WORKERS=2`); unset: in-process. */
export const TEST_WORKERS = Number(process.env['PORTCULLIS_TEST_WORKERS'] ?? '1') || 1;

/**
 * The gateway of an e2e test: in-process (startGateway) by default; with `PORTCULLIS_TEST_WORKERS=N`
 * (N > 1) the built CLI (`node scripts/build-cli.mjs`) with `--workers N`, so the same tests prove that
 * sessions, policies and logs work worker to worker. Its JSON log lines are collected in `logs` and kept
 * in test-artifacts/logs/ like every in-process gateway's.
 */
export async function startGateway(yaml: string, opts: StartOptions = {}): Promise<E2eGateway> {
  if (TEST_WORKERS <= 1) return startInProcess(yaml, opts);
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-workers-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml);
  for (const [name, content] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), content);
  const logDir = join(process.cwd(), 'test-artifacts', 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${opts.name ?? 'gateway'}-workers-${process.pid}-${Date.now()}.log`);
  // Rate-limit buckets are per process unless Redis holds them (docs/deploy.md): the workers share one.
  const redis = await startRedis();
  const readiness = await freePort();
  const args = [resolve('bin/portcullis.js'), '-f', file, '--workers', String(TEST_WORKERS)];
  args.push('--log-level', opts.logLevel ?? 'debug', '--log-format', 'json');
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      PORTCULLIS_REDIS_URL: redis.url,
      ...opts.env,
      ADMIN_ADDR: '127.0.0.1:0',
      STATS_ADDR: '127.0.0.1:0',
      READINESS_ADDR: `127.0.0.1:${readiness}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    const text = partial + d.toString();
    appendFileSync(logFile, d);
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ raw: line });
      }
    }
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  await eventually(() => /listening +http:\/\/\S+:\d+/.test(stderr) || child.exitCode !== null, 30_000);
  const port = Number(/listening +http:\/\/\S+:(\d+)/.exec(stderr)?.[1]);
  if (!port) throw new Error(`the CLI gateway did not start: ${stderr}`);
  // Ready = every worker started, bound and finished its first round of target probes (and Redis is up).
  await eventually(async () => {
    const r = await fetch(`http://127.0.0.1:${readiness}/healthz/ready`).catch(() => undefined);
    return r?.status === 200;
  }, 30_000);
  await eventually(() => logs.filter((l) => l['msg'] === 'redis connected').length >= TEST_WORKERS, 10_000);
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    logs,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The upstream's tools: `echo`, `get_headers` (its own HTTP request's headers) and `sleep` (until aborted). */
export function createUpstreamServer(): McpServer {
  const mcp = new McpServer({ name: 'e2e-upstream', version: '1.0.0' });
  mcp.registerTool(
    'echo',
    { description: 'Echoes the message', inputSchema: { message: z.string() } },
    async ({ message }) => ({ content: [{ type: 'text', text: `Echo: ${message}` }] }),
  );
  mcp.registerTool(
    'get_headers',
    { description: 'The HTTP request headers this call arrived with (JSON)' },
    async (extra) => ({
      content: [{ type: 'text', text: JSON.stringify(extra.requestInfo?.headers ?? {}) }],
    }),
  );
  mcp.registerTool(
    'sleep',
    { description: 'Waits `ms` milliseconds or until cancelled', inputSchema: { ms: z.number() } },
    async ({ ms }, extra) => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        timer.unref();
        extra.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      return { content: [{ type: 'text', text: 'slept' }] };
    },
  );
  return mcp;
}

/** The upstream on 127.0.0.1:0, closed after the test/suite. `requests` lists every HTTP request. */
export async function startUpstream(): Promise<ServedFixture> {
  return serveHttp(() => createUpstreamServer());
}

export interface Signer {
  readonly key: TestKey;
  /** Inline JWKS text for `jwtAuth.jwks`. */
  readonly jwks: string;
  /** A valid token (iss/aud from authn helpers, exp in one hour) for `sub`, with extra claims. */
  token(sub: string, claims?: Record<string, unknown>): Promise<string>;
}

export async function makeSigner(kid = 'e2e'): Promise<Signer> {
  const key = await makeKey('ES256', kid);
  return {
    key,
    jwks: jwksText(key),
    token: (sub, claims = {}) => signToken(key, { claims: { sub, ...claims } }),
  };
}

/** A jwtAuth policy block (YAML, indented for `policies:` at 8 spaces) for the signer's key. */
export function jwtAuthYaml(signer: Signer, mode?: 'strict' | 'optional' | 'permissive'): string {
  return `        jwtAuth:
${mode ? `          mode: ${mode}\n` : ''}          issuer: ${ISSUER}
          audiences: [${AUDIENCE}]
          jwks: '${signer.jwks}'
`;
}

/** An `mcp` backend block for one HTTP target. */
export function mcpBackendYaml(upstreamUrl: string, name = 'up'): string {
  return `      backends:
      - mcp:
          targets:
          - name: ${name}
            mcp: {host: "${upstreamUrl}"}
`;
}

export const PROTOCOL_VERSION = '2025-06-18';

export interface RpcResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The JSON-RPC message of the body (JSON or the first SSE `data:` event), if any. */
  readonly message: Record<string, unknown> | undefined;
}

/** Parse a JSON body or the first `data:` line of an SSE body. */
export function messageOf(text: string, contentType: string | null): Record<string, unknown> | undefined {
  try {
    if (contentType?.includes('text/event-stream')) {
      const line = text.split('\n').find((l) => l.startsWith('data:') && l.slice(5).trim().startsWith('{'));
      return line ? (JSON.parse(line.slice(5)) as Record<string, unknown>) : undefined;
    }
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** POST one JSON-RPC message to an MCP endpoint with fetch. */
export async function rpc(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RpcResponse> {
  const r = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  return {
    status: r.status,
    headers: r.headers,
    text,
    message: messageOf(text, r.headers.get('content-type')),
  };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export function initializeMessage(id: number | string = 1): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'e2e', version: '1.0.0' },
    },
  };
}

export interface RawSession {
  readonly id: string;
  /** Headers a follow-up request of this session carries. */
  readonly headers: Record<string, string>;
  readonly initialize: RpcResponse;
}

/** initialize + notifications/initialized over raw HTTP; asserts nothing, throws when no session id came back. */
export async function openSession(url: string, headers: Record<string, string> = {}): Promise<RawSession> {
  const init = await rpc(url, initializeMessage(), headers);
  const id = init.headers.get('mcp-session-id');
  if (!id) throw new Error(`initialize gave ${init.status} without a session id: ${init.text}`);
  const follow = { ...headers, 'mcp-session-id': id, 'mcp-protocol-version': PROTOCOL_VERSION };
  const ack = await rpc(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, follow);
  if (ack.status !== 202) throw new Error(`notifications/initialized gave ${ack.status}: ${ack.text}`);
  return { id, headers: follow, initialize: init };
}

/** tools/call over an open raw session. */
export function callTool(
  url: string,
  session: { headers: Record<string, string> },
  name: string,
  args: Record<string, unknown> = {},
  extraHeaders: Record<string, string> = {},
): Promise<RpcResponse> {
  return rpc(
    url,
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: args } },
    { ...session.headers, ...extraHeaders },
  );
}

/** The headers the upstream's `get_headers` tool reported, from a tools/call response. */
export function reportedHeaders(r: RpcResponse): Record<string, string> {
  const result = r.message?.['result'] as { content?: { text?: string }[] } | undefined;
  const text = result?.content?.[0]?.text;
  if (!text) throw new Error(`no get_headers result: ${r.status} ${r.text}`);
  return JSON.parse(text) as Record<string, string>;
}

/** Send `text` as-is on a new TCP connection and return everything the server wrote until it closed. */
export function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (out += d));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
    socket.write(text);
  });
}

/** A request through node:http, which (unlike fetch) lets a test send hop-by-hop headers. */
export function nodeRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Close `thing` when the test ends. */
export function closeAfter<T extends { close(): Promise<unknown> } | { stop(): Promise<unknown> }>(
  t: TestContext,
  thing: T,
): T {
  t.after(() => ('stop' in thing ? thing.stop() : thing.close()));
  return thing;
}
