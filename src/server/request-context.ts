import type { IncomingMessage, ServerResponse } from 'node:http';
import { NO_TRACE, type RequestContext } from '../contracts/request-context.js';
import { parseRequestTarget, type RequestTarget } from './request-target.js';

const ROOT: RequestTarget = { path: '/', search: '', authority: undefined };

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

/**
 * The WHATWG URL of a request, built only when something asks for it (most requests never do). Its
 * parts were validated by ./request-target.ts; a host the URL parser still refuses (`999.1.1.1`)
 * falls back to `localhost` rather than throwing.
 */
function lazyUrl(scheme: string, host: string, target: RequestTarget): () => URL {
  let url: URL | undefined;
  return () => {
    if (url) return url;
    const pathAndQuery = (target.path === '*' ? '/' : target.path) + target.search;
    for (const h of [host || 'localhost', 'localhost']) {
      try {
        return (url = new URL(`${scheme}://${h}${pathAndQuery}`));
      } catch {
        // next candidate
      }
    }
    return (url = new URL(`${scheme}://localhost/`));
  };
}

/**
 * One context per request, created by the listener before routing from an already-validated target and
 * Host (./request-target.ts). Never throws.
 */
export function createRequestContext(
  req: IncomingMessage,
  res: ServerResponse,
  scheme: 'http' | 'https',
  target: RequestTarget = parseRequestTarget(req.url ?? '/', req.method ?? 'GET') ?? ROOT,
  host: string = req.headers.host ?? '',
): MutableRequestContext {
  const url = lazyUrl(scheme, host, target);
  const controller = new AbortController();
  // The client went away before we answered: stop upstream work for it.
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  const startMs = Date.now();
  let headers: Record<string, string> | undefined;
  const request = {
    method: req.method ?? 'GET',
    path: target.path,
    host,
    scheme,
    // Copied on first read (CEL, a policy that reads a header), not on every request.
    get headers() {
      return (headers ??= flattenHeaders(req));
    },
    // Read only by CEL expressions that name them: computed then, not on every request.
    get pathAndQuery() {
      return `${target.path}${target.search}`;
    },
    get version() {
      return `HTTP/${req.httpVersion}`;
    },
    get startTime() {
      return new Date(startMs).toISOString();
    },
    get destination() {
      return { address: req.socket.localAddress ?? '', port: req.socket.localPort ?? 0 };
    },
  };
  return {
    req,
    res,
    get url() {
      return url();
    },
    request,
    source: { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 },
    startedAt: performance.now(),
    identity: null,
    upstreamHeaders: {},
    signal: controller.signal,
    backendRequestTimeoutMs: undefined,
    log: {
      'http.method': request.method,
      'http.path': target.path,
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
