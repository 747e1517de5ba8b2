/**
 * Shared pieces of the end-to-end tests (issues 4 and 6): a real Streamable HTTP MCP upstream that
 * records every request's headers, real signing keys and JWTs, and raw MCP-over-HTTP calls that show
 * the status, headers and body the gateway sent (the SDK client hides those).
 */
import { connect as netConnect } from 'node:net';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { TestContext } from 'node:test';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { serveHttp, type ServedFixture } from '../fixtures/serve.js';
import { AUDIENCE, ISSUER, jwksText, makeKey, signToken, type TestKey } from '../authn/helpers.js';

export { AUDIENCE, ISSUER };

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
