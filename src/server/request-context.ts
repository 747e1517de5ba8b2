import type { IncomingMessage, ServerResponse } from 'node:http';
import { NO_TRACE, type RequestContext } from './context.js';

export interface MutableRequestContext extends RequestContext {
  /** Abort the request's signal (timeout, client gone). */
  abort(reason: Error): void;
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const headers = req.headers;
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** One context per request, created by the listener before routing. */
export function createRequestContext(
  req: IncomingMessage,
  res: ServerResponse,
  scheme: 'http' | 'https',
): MutableRequestContext {
  const host = req.headers.host ?? '';
  const url = new URL(req.url ?? '/', `${scheme}://${host || 'localhost'}`);
  const controller = new AbortController();
  // The client went away before we answered: stop upstream work for it.
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  const request = {
    method: req.method ?? 'GET',
    path: url.pathname,
    host,
    scheme,
    headers: flattenHeaders(req),
    pathAndQuery: `${url.pathname}${url.search}`,
    version: `HTTP/${req.httpVersion}`,
    startTime: new Date().toISOString(),
    destination: { address: req.socket.localAddress ?? '', port: req.socket.localPort ?? 0 },
  };
  return {
    req,
    res,
    url,
    request,
    source: { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 },
    startedAt: performance.now(),
    identity: null,
    upstreamHeaders: {},
    signal: controller.signal,
    backendRequestTimeoutMs: undefined,
    log: {
      'http.method': request.method,
      'http.path': url.pathname,
      'http.host': host,
      'src.addr': `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? 0}`,
    },
    traceparent: undefined,
    trace: NO_TRACE,
    abort(reason) {
      if (!controller.signal.aborted) controller.abort(reason);
    },
  };
}
