/**
 * Raw-HTTP MCP load: undici Pools (keep-alive), request bodies built from two pre-built halves, headers
 * built once per session. Closed loop (N clients, each one request in flight on its own session) and
 * open loop (a fixed offered rate; latency counted from the *scheduled* send time, so a stall is not
 * hidden by the generator waiting for it — no coordinated omission).
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface Endpoint {
  readonly origin: string;
  readonly path: string;
  /** Sent with every request (authorization, …). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly elapsedMs: number;
  /** Successful requests' latencies, ms, ascending. */
  readonly latencies: Float64Array;
  /**
   * Open loop only: each successful request's scheduled send time (epoch ms, comparable across
   * processes: performance.timeOrigin + now()) and latency (ms), in completion order.
   */
  readonly log?: { readonly sentAt: Float64Array; readonly latency: Float64Array };
}

/** A request body for id `i`: `prefix + i + suffix`, so no JSON.stringify per request. */
export interface Body {
  readonly prefix: string;
  readonly suffix: string;
}

export function rpcBody(method: string, params: unknown): Body {
  const tail = params === undefined ? '' : `,"params":${JSON.stringify(params)}`;
  return { prefix: '{"jsonrpc":"2.0","id":', suffix: `,"method":"${method}"${tail}}` };
}

export function createPool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
}

/** The JSON-RPC message of a JSON or single-event SSE response. */
export function parseRpc(text: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('text/event-stream')) {
    const data = text
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trim());
    return JSON.parse(data[data.length - 1] ?? 'null') as Record<string, unknown>;
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** initialize + notifications/initialized; returns the headers every later request of the session sends. */
export async function openSession(pool: Pool, ep: Endpoint): Promise<Record<string, string>> {
  const base = {
    ...ep.headers,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const init = await pool.request({
    path: ep.path,
    method: 'POST',
    headers: base,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    }),
  });
  const text = await init.body.text();
  const sid = init.headers['mcp-session-id'];
  if (init.statusCode !== 200 || typeof sid !== 'string') {
    throw new Error(`initialize at ${ep.origin}${ep.path}: ${init.statusCode} ${text.slice(0, 200)}`);
  }
  const msg = parseRpc(text, init.headers['content-type'] as string | undefined);
  const version = (msg.result as { protocolVersion?: string } | undefined)?.protocolVersion ?? '2025-06-18';
  const headers = { ...base, 'mcp-session-id': sid, 'mcp-protocol-version': version };
  const ack = await pool.request({
    path: ep.path,
    method: 'POST',
    headers,
    body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  });
  await ack.body.dump();
  return headers;
}

export async function closeSession(pool: Pool, ep: Endpoint, headers: Record<string, string>): Promise<void> {
  const r = await pool.request({ path: ep.path, method: 'DELETE', headers });
  await r.body.dump();
}

/** One request; returns null on success or a short error description. */
async function send(
  pool: Pool,
  path: string,
  headers: Record<string, string>,
  body: string,
  ok: (text: string) => boolean,
): Promise<string | null> {
  const r = await pool.request({ path, method: 'POST', headers, body });
  const text = await r.body.text();
  if (r.statusCode !== 200) return `HTTP ${r.statusCode}: ${text.slice(0, 200)}`;
  return ok(text) ? null : `unexpected body: ${text.slice(0, 200)}`;
}

export interface ClosedLoopOptions {
  readonly pool: Pool;
  readonly path: string;
  /** One entry per client: the headers of that client's session. */
  readonly sessions: readonly Record<string, string>[];
  readonly body: Body;
  readonly durationMs: number;
  /** Upper bound on requests over all clients. */
  readonly maxRequests: number;
  readonly ok: (text: string) => boolean;
}

export async function closedLoop(o: ClosedLoopOptions): Promise<LoadResult> {
  const lat = new Float64Array(o.maxRequests);
  let issued = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + o.durationMs;
  let id = 1;
  const client = async (headers: Record<string, string>): Promise<void> => {
    while (issued < o.maxRequests && performance.now() < end) {
      issued++;
      const t0 = performance.now();
      const err = await send(o.pool, o.path, headers, o.body.prefix + id++ + o.body.suffix, o.ok).catch(
        (e: unknown) => String(e),
      );
      if (err === null) lat[done++] = performance.now() - t0;
      else {
        errors++;
        firstError ??= err;
      }
    }
  };
  await Promise.all(o.sessions.map(client));
  const elapsedMs = performance.now() - start;
  return { requests: done, errors, firstError, elapsedMs, latencies: lat.slice(0, done).sort() };
}

export interface OpenLoopOptions {
  readonly pool: Pool;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Body;
  /** Offered requests per second. */
  readonly rate: number;
  readonly durationMs: number;
  readonly ok: (text: string) => boolean;
}

export async function openLoop(o: OpenLoopOptions): Promise<LoadResult> {
  const total = Math.max(1, Math.floor((o.rate * o.durationMs) / 1000));
  const lat = new Float64Array(total);
  const sentAt = new Float64Array(total);
  let sent = 0;
  let done = 0;
  let finished = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((r) => (resolveAll = r));
  const fire = (i: number): void => {
    const scheduled = start + (i * 1000) / o.rate;
    send(o.pool, o.path, o.headers, o.body.prefix + (i + 1) + o.body.suffix, o.ok)
      .catch((e: unknown) => String(e))
      .then((err) => {
        if (err === null) {
          sentAt[done] = performance.timeOrigin + scheduled;
          lat[done++] = performance.now() - scheduled;
        } else {
          errors++;
          firstError ??= err;
        }
        if (++finished === total) resolveAll();
      });
  };
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - start) * o.rate) / 1000) + 1);
    while (sent < due) fire(sent++);
    if (sent === total) clearInterval(timer);
  }, 1);
  await all;
  const elapsedMs = performance.now() - start;
  return {
    requests: done,
    errors,
    firstError,
    elapsedMs,
    latencies: lat.slice(0, done).sort(),
    log: { sentAt: sentAt.slice(0, done), latency: lat.slice(0, done) },
  };
}
