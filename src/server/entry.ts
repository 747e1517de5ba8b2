/**
 * The request entry: everything between the socket and the pipeline (request-target and Host parsing,
 * context creation, listener and route selection, the body deadline). A never-throws boundary: a
 * malformed request is a 400, a bug here is a 500, and neither escapes to stop the process.
 */
import type { AccessLogFields } from '../contracts/request-context.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { GatewayError, type ErrorCode } from '../errors/registry.js';
import { sendHttpError, sendJsonRpcError } from '../errors/respond.js';
import type { Snapshot } from '../runtime/snapshot.js';
import { InFlightSet, type InFlight } from './drain.js';
import type { ServerEvents } from '../contracts/server-events.js';
import { runPipeline, type PipelineDeps } from './pipeline.js';
import { createRequestContext, type MutableRequestContext } from './request-context.js';
import { isValidHost, parseRequestTarget, type RequestTarget } from './request-target.js';
import { requestHost, selectListener } from '../runtime/router.js';
import { selectRouteWithDiscovery } from './discovery-route.js';

export interface RequestObserver {
  /** Called when a request starts (tracing) and when its response is finished (access log, metrics). */
  start(ctx: MutableRequestContext): void;
  end(ctx: MutableRequestContext): void;
  /** A TCP-route connection closed (access log line). */
  tcpEnd?(fields: AccessLogFields, ms: number): void;
}

export interface SnapshotSource {
  /** The snapshot a new request must use; `retain` until `release` keeps it alive across a swap. */
  acquire(): Snapshot;
  release(s: Snapshot): void;
}

export interface EntryDeps {
  readonly snapshots: SnapshotSource;
  readonly pipeline: PipelineDeps;
  readonly observer: RequestObserver;
  readonly events: ServerEvents;
  readonly logger: Logger;
}

const ROOT: RequestTarget = { path: '/', search: '', authority: undefined };

/** Request-target and Host, or the registry code of what is wrong with them. */
function parseEntry(req: IncomingMessage): { target: RequestTarget; host: string } | ErrorCode {
  const target = parseRequestTarget(req.url ?? '/', req.method ?? 'GET');
  if (!target) return 'BAD_REQUEST_TARGET';
  if (target.authority !== undefined) {
    // RFC 9112 §3.2.2: an absolute-form target's authority replaces Host; every later reader of
    // `req.headers.host` (listener selection, DNS-rebinding and CSRF checks) then sees the same host.
    req.headers.host = target.authority;
    return { target, host: target.authority };
  }
  const host = req.headers.host ?? '';
  return isValidHost(host) ? { target, host } : 'BAD_HOST';
}

/** Answer before any route is known, and close the connection (its framing may be off). */
function refuse(res: ServerResponse, code: ErrorCode): void {
  res.shouldKeepAlive = false;
  sendHttpError(res, new GatewayError(code));
}

export function handleRequest(
  d: EntryDeps,
  bindKey: string,
  scheme: 'http' | 'https',
  inflight: InFlightSet,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  let ctx: MutableRequestContext | undefined;
  try {
    const parsed = parseEntry(req);
    const ok = typeof parsed === 'object';
    ctx = createRequestContext(req, res, scheme, ok ? parsed.target : ROOT, ok ? parsed.host : '');
    const snap = d.snapshots.acquire();
    const entry: InFlight = { ctx, isMcp: false, stream: false };
    inflight.add(entry);
    let ended = false;
    const c = ctx;
    const end = () => {
      if (ended) return;
      ended = true;
      inflight.delete(entry);
      // What the client really got: nothing at all when the connection closed before any header.
      c.log['http.status'] = res.headersSent ? res.statusCode : 0;
      if (!res.headersSent) c.log.error ??= 'connection closed before a response was sent';
      try {
        d.observer.end(c);
      } finally {
        d.snapshots.release(snap);
      }
    };
    res.once('finish', end);
    res.once('close', end);
    d.observer.start(ctx);
    // frontendPolicies.networkAuthorization before anything else: a refused client learns nothing,
    // its connection is closed (agentgateway's behaviour).
    const net = snap.networkAuthorization;
    if (net && !net.allows(ctx.source, localEnd(req))) {
      ctx.log.error = 'network authorization denied';
      req.socket.destroy();
      return;
    }
    if (!ok) {
      d.events.malformedRequest(parsed === 'BAD_HOST' ? 'host' : 'target');
      ctx.log.error = parsed === 'BAD_HOST' ? 'invalid Host header' : 'invalid request target';
      refuse(res, parsed);
      return;
    }
    const host = requestHost(parsed.host);
    const bind = snap.binds.find((b) => b.key === bindKey);
    const listener = bind && selectListener(bind.listeners, host);
    if (!listener) return void sendHttpError(res, new GatewayError('LISTENER_NOT_FOUND'));
    ctx.log.listener = listener.key;
    let query: URLSearchParams | undefined;
    const search = parsed.target.search;
    const route = selectRouteWithDiscovery(listener.routes, {
      method: ctx.request.method,
      path: ctx.request.path,
      host,
      headers: req.headers,
      get query() {
        return (query ??= new URLSearchParams(search));
      },
    });
    if (!route) return void sendHttpError(res, new GatewayError('ROUTE_NOT_FOUND'));
    ctx.log.route = route.key;
    entry.isMcp = route.backend?.kind === 'mcp';
    entry.stream = entry.isMcp && ctx.request.method === 'GET';
    armBodyTimeout(ctx, entry.isMcp, snap.config.static.limits.requestBodyTimeoutMs, d.events);
    // runPipeline turns every failure into a response; should writing that response fail too, the
    // rejection still ends here and never reaches the process.
    runPipeline(ctx, route, d.pipeline).catch((e: unknown) => {
      d.logger.error({ err: e, route: route.key }, 'request pipeline failed');
      res.destroy();
    });
  } catch (e) {
    d.logger.error({ err: e, bind: bindKey }, 'request entry failed');
    try {
      if (ctx) ctx.log.error = 'internal error';
      if (!res.headersSent) refuse(res, 'INTERNAL');
      else res.destroy();
    } catch {
      res.destroy();
    }
  }
}

function localEnd(req: IncomingMessage): { address: string; port: number } {
  return { address: req.socket.localAddress ?? '', port: req.socket.localPort ?? 0 };
}

function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const len = req.headers['content-length'];
  return len !== undefined && len !== '0';
}

/**
 * The body must arrive within `ms` of the head: a client trickling bytes is answered 408 (JSON-RPC on
 * MCP routes) while that is still possible, then disconnected. Node's own `requestTimeout` stays off
 * because it would also count the head, which `server.headersTimeout` already bounds.
 */
function armBodyTimeout(ctx: MutableRequestContext, isMcp: boolean, ms: number, events: ServerEvents): void {
  const req = ctx.req;
  if (ms <= 0 || !hasBody(req)) return;
  const timer = setTimeout(() => {
    // Decide after the poll phase: bytes that arrived while the event loop was busy are read first,
    // so a stalled loop never blames the client.
    setImmediate(bodyTimedOut);
  }, ms);
  const bodyTimedOut = () => {
    if (req.complete || ctx.res.writableEnded) return;
    events.requestTimeout('body');
    const err = new GatewayError('BODY_TIMEOUT');
    ctx.log.error = err.message;
    const res = ctx.res;
    const cut = () => {
      ctx.abort(err);
      req.socket.destroy();
    };
    if (res.headersSent || res.writableEnded) return cut();
    res.shouldKeepAlive = false;
    res.once('finish', cut);
    if (isMcp) sendJsonRpcError(res, err, null);
    else sendHttpError(res, err);
  };
  timer.unref();
  const clear = () => clearTimeout(timer);
  req.once('end', clear);
  ctx.res.once('close', clear);
  ctx.res.once('finish', clear);
}
