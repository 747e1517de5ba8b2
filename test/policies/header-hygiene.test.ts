import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { upstreamHeadersFrom, type UpstreamHeaderOptions } from '../../src/server/header-hygiene.js';
import { afterTest, send, serve } from './helpers.js';

/** Send raw header lines (duplicates, odd Connection values) and get back what would go upstream. */
async function upstreamFor(
  t: Parameters<typeof afterTest>[0],
  lines: string[],
  opts: UpstreamHeaderOptions,
): Promise<Record<string, string>> {
  const url = await serve(afterTest(t), (ctx) => {
    const body = JSON.stringify(upstreamHeadersFrom(ctx.req, opts));
    ctx.res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    ctx.res.end(body);
  });
  const { hostname, port } = new URL(url);
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(['GET /mcp HTTP/1.1', `Host: ${hostname}:${port}`, ...lines, '', ''].join('\r\n'));
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  // The last head is the final response (an `Expect: 100-continue` request gets a 100 first).
  const body = raw.slice(raw.lastIndexOf('\r\n\r\n') + 4);
  return JSON.parse(body) as Record<string, string>;
}

const STRIP = { stripAuthorization: true };
const KEEP = { stripAuthorization: false };

interface Row {
  readonly name: string;
  readonly lines: string[];
  readonly opts?: UpstreamHeaderOptions;
  /** Expected upstream values; null = not forwarded. */
  readonly expect: Record<string, string | null>;
}

const ROWS: Row[] = [
  {
    name: 'custom headers pass through',
    lines: ['X-Tenant: acme', 'X-Request-Id: r-1', 'Accept: application/json, text/event-stream'],
    expect: { 'x-tenant': 'acme', 'x-request-id': 'r-1', accept: 'application/json, text/event-stream' },
  },
  { name: 'host is never forwarded', lines: [], expect: { host: null } },
  {
    name: 'hop-by-hop fields are dropped',
    lines: [
      'Keep-Alive: timeout=5',
      'TE: trailers',
      'Trailer: x-sum',
      'Upgrade: websocket',
      'Proxy-Connection: keep-alive',
    ],
    expect: {
      'keep-alive': null,
      te: null,
      trailer: null,
      upgrade: null,
      'proxy-connection': null,
      connection: null,
    },
  },
  {
    name: 'proxy-* credentials are dropped',
    lines: ['Proxy-Authorization: Basic eDp5'],
    expect: { 'proxy-authorization': null },
  },
  {
    name: 'fields named in Connection are dropped',
    lines: ['Connection: close, X-Hop, x-other', 'X-Hop: 1', 'X-Other: 2', 'X-Stay: 3'],
    expect: { 'x-hop': null, 'x-other': null, 'x-stay': '3' },
  },
  {
    name: 'framing fields are dropped',
    lines: [
      'Content-Length: 0',
      'Content-Encoding: gzip',
      'Accept-Encoding: gzip, br',
      'Expect: 100-continue',
    ],
    expect: { 'content-length': null, 'content-encoding': null, 'accept-encoding': null, expect: null },
  },
  {
    name: 'content-encoding is kept when the body is forwarded unchanged',
    lines: ['Content-Length: 0', 'Content-Encoding: gzip'],
    opts: { stripAuthorization: false, forwardsBody: true },
    expect: { 'content-encoding': 'gzip', 'content-length': null },
  },
  {
    name: 'downstream MCP session state is dropped',
    lines: ['Mcp-Session-Id: s-123', 'Mcp-Protocol-Version: 2025-06-18', 'Last-Event-ID: 42'],
    expect: { 'mcp-session-id': null, 'mcp-protocol-version': null, 'last-event-id': null },
  },
  {
    name: 'authorization is dropped after jwtAuth',
    lines: ['Authorization: Bearer abc'],
    opts: STRIP,
    expect: { authorization: null },
  },
  {
    name: 'authorization is forwarded when no jwtAuth verified it',
    lines: ['Authorization: Bearer abc'],
    opts: KEEP,
    expect: { authorization: 'Bearer abc' },
  },
  {
    name: 'multi-valued fields are joined with ", "',
    lines: [
      'X-Multi: a',
      'X-Multi: b',
      'Accept: text/html',
      'Accept: */*',
      'User-Agent: one',
      'User-Agent: two',
    ],
    expect: { 'x-multi': 'a, b', accept: 'text/html, */*', 'user-agent': 'one, two' },
  },
  {
    name: 'cookies are joined with "; "',
    lines: ['Cookie: a=1', 'Cookie: b=2'],
    expect: { cookie: 'a=1; b=2' },
  },
  {
    name: 'trace context and forwarding headers pass through',
    lines: [
      'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'X-Forwarded-For: 10.0.0.1',
    ],
    expect: {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'x-forwarded-for': '10.0.0.1',
    },
  },
];

describe('upstream header hygiene', () => {
  for (const row of ROWS) {
    it(row.name, async (t) => {
      const got = await upstreamFor(t, row.lines, row.opts ?? KEEP);
      for (const [name, value] of Object.entries(row.expect)) assert.equal(got[name] ?? null, value, name);
    });
  }

  it('defaults to forwarding authorization', async (t) => {
    const url = await serve(afterTest(t), (ctx) => {
      ctx.res.end(JSON.stringify(upstreamHeadersFrom(ctx.req)));
    });
    const r = await send(url, { headers: { authorization: 'Bearer z' } });
    assert.equal((JSON.parse(r.body) as Record<string, string>).authorization, 'Bearer z');
  });
});
