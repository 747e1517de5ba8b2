import type { IncomingMessage, ServerResponse } from 'node:http';
import { NO_TRACE, type RequestContext, type RequestInfo } from '../contracts/request-context.js';
import { canonicalAddress, formatPeer } from '../net/peer-address.js';
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
 * The CEL `request` of one request. The fields CEL reads only when an expression names them (headers,
 * pathAndQuery, version, startTime, destination) are prototype getters computed on first read: no
 * closure or copy per request for what most requests never look at.
 */
class LazyRequestInfo implements RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly host: string;
  readonly scheme: 'http' | 'https';
  readonly #req: IncomingMessage;
  readonly #search: string;
  readonly #startMs: number;
  #headers: Record<string, string> | undefined;

  constructor(
    req: IncomingMessage,
    target: RequestTarget,
    host: string,
    scheme: 'http' | 'https',
    startMs: number,
  ) {
    this.method = req.method ?? 'GET';
    this.path = target.path;
    this.host = host;
    this.scheme = scheme;
    this.#req = req;
    this.#search = target.search;
    this.#startMs = startMs;
  }

  get headers(): Record<string, string> {
    return (this.#headers ??= flattenHeaders(this.#req));
  }

  get pathAndQuery(): string {
    return `${this.path}${this.#search}`;
  }

  get version(): string {
    return `HTTP/${this.#req.httpVersion}`;
  }

  get startTime(): string {
    return new Date(this.#startMs).toISOString();
  }

  get destination(): { address: string; port: number } {
    const socket = this.#req.socket;
    return { address: socket.localAddress ?? '', port: socket.localPort ?? 0 };
  }
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
  const request = new LazyRequestInfo(req, target, host, scheme, Date.now());
  return {
    req,
    res,
    get url() {
      return url();
    },
    request,
    source: { address: canonicalAddress(req.socket.remoteAddress ?? ''), port: req.socket.remotePort ?? 0 },
    startedAt: performance.now(),
    identity: null,
    upstreamHeaders: {},
    signal: controller.signal,
    backendRequestTimeoutMs: undefined,
    log: {
      'http.method': request.method,
      'http.path': target.path,
      'http.host': host,
      'src.addr': formatPeer(req.socket.remoteAddress, req.socket.remotePort),
    },
    traceparent: undefined,
    trace: NO_TRACE,
    abort(reason) {
      if (!controller.signal.aborted) controller.abort(reason);
    },
  };
}
