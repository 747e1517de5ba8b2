import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { NormalizedTarget } from '../../config/types.js';
import { GatewayError } from '../../errors/registry.js';
import { isUpstreamError, UpstreamError, type UpstreamErrorCode } from '../../errors/upstream.js';
import type { McpTelemetry } from '../../telemetry/hooks.js';
import type {
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResponseMessage,
  JsonObject,
  RpcOutcome,
} from '../protocol/messages.js';
import { isObject, metaOf } from '../protocol/messages.js';
import { META, MODERN_VERSION } from '../protocol/revisions.js';
import { RawResultResponse } from '../protocol/raw-response.js';
import type { Upstream } from '../upstream/upstream.js';
import type { TraceScope } from '../../contracts/request-context.js';

/**
 * `target "x" failed: …` — the one shape every upstream failure takes towards a client. HTTP upstreams
 * already phrase their wire failures that way; those are not prefixed twice.
 */
export function targetFailed(target: string, reason: string): GatewayError {
  const prefix = `target "${target}" failed: `;
  return new GatewayError('UPSTREAM_FAILED', reason.startsWith(prefix) ? reason : prefix + reason);
}

/** The reason part of a `target "x" failed: reason` message. */
export function failureReason(message: string): string {
  return message.replace(/^target "[^"]*"(?: failed)?: /, '');
}

/** Thrown when the client cancelled a request (notifications/cancelled, stream closed): nothing is answered. */
export class CallCancelled extends Error {
  constructor() {
    super('request cancelled');
    this.name = 'CallCancelled';
  }
}

/** Where the messages that belong to one client request go, and how long the client still wants them. */
export interface CallScope {
  /** The request's own stream (its POST SSE stream, or the legacy SSE stream); false once it is gone. */
  readonly sink: (message: JSONRPCMessage) => boolean;
  /** Aborted when the client cancels the request or goes away. */
  readonly signal?: AbortSignal | undefined;
  /** Whether a `notifications/message` at `level` should reach this request's stream. */
  readonly wantsLog: (level: unknown) => boolean;
}

export interface CallOptions {
  /** Headers for HTTP upstreams (forwarded headers, backendAuth, traceparent). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly timeoutMs?: number | undefined;
  readonly scope?: CallScope | undefined;
  /** Also stamped into `_meta.traceparent` for stdio upstreams (no headers there). */
  readonly traceparent?: string | undefined;
  /** The request's tracing seam: each upstream call becomes a client span. */
  readonly trace?: TraceScope | undefined;
  /** The route's `retry` policy, when it has one. */
  readonly retry?: CallRetry | undefined;
}

/** How often a failed upstream call is sent again (the route's `retry`, src/policies/retry/). */
export interface CallRetry {
  /** Attempts in all for a request with this method: 1 for methods not safe to repeat. */
  attemptsFor(method: string): number;
  readonly backoffMs: number;
  retryableStatus(status: number): boolean;
}

/** Failures where the upstream did not answer the request: worth sending it again. */
const RETRYABLE: ReadonlySet<string> = new Set([
  'UPSTREAM_CONNECT_REFUSED',
  'UPSTREAM_UNREACHABLE',
  'UPSTREAM_RESET',
  'UPSTREAM_NETWORK',
  'UPSTREAM_TIMEOUT',
]);

/** What the owner of a connection hears from the upstream besides responses. */
export interface ConnEvents {
  notification(conn: TargetConn, message: JSONRPCNotification): void;
  request(conn: TargetConn, message: JSONRPCRequest): void;
  closed?(conn: TargetConn, reason: string): void;
}

interface Pending {
  readonly method: string;
  readonly scope: CallScope | undefined;
  readonly resolve: (o: RpcOutcome) => void;
  /** `code` goes to the upstream-call metric; null = the client's doing (cancelled), not an upstream error. */
  readonly fail: (e: Error, code: string | null) => void;
}

/**
 * One started upstream connection for one target, speaking raw JSON-RPC. The gateway numbers every request
 * it sends (so ids from different clients and targets never collide), maps progress tokens per request,
 * fails everything in flight at once when the upstream closes, and enforces the per-call timeout.
 */
export class TargetConn {
  readonly target: NormalizedTarget;
  readonly upstream: Upstream;
  /** The upstream's InitializeResult once initialized (from `server/discover` for a modern upstream). */
  initResult: JsonObject | undefined;
  /** The 2026-07-28 `_meta` fields stamped into every request, once the upstream turned out to be modern. */
  private modernMeta: JsonObject | undefined;
  private readonly events: ConnEvents;
  private readonly logger: Logger;
  private readonly telemetry: McpTelemetry;
  private state: 'new' | 'started' | 'closed' = 'new';
  private closeReason = 'connection closed';
  private closeCode: UpstreamErrorCode = 'UPSTREAM_CLOSED';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Progress tokens of calls in flight (made on the first call that asks for progress). */
  private progressMap: Map<string, { readonly token: unknown; readonly scope: CallScope }> | undefined;
  /** Gives back this connection's place under a process limit (src/mcp/session/limits.ts) once it is gone. */
  private readonly release: (() => void) | undefined;
  /** The target's own backendAuth applied to every request's headers (`targets[].policies`). */
  private readonly rewrite: ((h: Readonly<Record<string, string>>) => Record<string, string>) | undefined;

  constructor(
    target: NormalizedTarget,
    upstream: Upstream,
    events: ConnEvents,
    logger: Logger,
    telemetry: McpTelemetry,
    release?: () => void,
    rewrite?: (h: Readonly<Record<string, string>>) => Record<string, string>,
  ) {
    this.target = target;
    this.release = release;
    this.rewrite = rewrite;
    this.upstream = upstream;
    this.events = events;
    this.logger = logger;
    this.telemetry = telemetry;
    upstream.onmessage = (m) => this.onMessage(m);
    upstream.onclose = (reason) =>
      this.onClosed(this.upstreamError(reason, 'UPSTREAM_CLOSED', 'connection closed'));
    upstream.onerror = (e) => this.logger.warn({ target: target.name, err: e.message }, 'upstream error');
  }

  get name(): string {
    return this.target.name;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  get failure(): string {
    return this.closeReason;
  }

  /** The headers a request to this target carries: `headers` with the target's own backendAuth applied. */
  ownHeaders(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>>;
  ownHeaders(
    headers: Readonly<Record<string, string>> | undefined,
  ): Readonly<Record<string, string>> | undefined;
  ownHeaders(
    headers: Readonly<Record<string, string>> | undefined,
  ): Readonly<Record<string, string>> | undefined {
    return this.rewrite ? this.rewrite(headers ?? {}) : headers;
  }

  /** Connects; `headers` go on the connecting request where there is one (legacy SSE GET). */
  async start(given?: Readonly<Record<string, string>>): Promise<void> {
    const headers = this.ownHeaders(given);
    const ms = this.target.connectTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.upstream.start(headers ? { headers } : undefined),
        new Promise<never>((_, reject) => {
          if (ms > 0)
            timer = setTimeout(
              () =>
                reject(new UpstreamError('UPSTREAM_TIMEOUT', this.name, `connect timed out after ${ms} ms`)),
              ms,
            );
        }),
      ]);
    } catch (e) {
      const err = this.upstreamError(e, 'UPSTREAM_PROTOCOL', 'connect failed');
      this.state = 'closed';
      this.closeReason = err.detail;
      this.closeCode = err.code;
      this.telemetry.upstreamCall(this.name, 0, err.code);
      await this.upstream.close().catch(() => undefined);
      this.release?.();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    if (this.state === 'closed') throw this.closedError();
    this.state = 'started';
  }

  /** True when the upstream speaks only the stateless 2026-07-28 revision (no `initialize`). */
  get modern(): boolean {
    return this.modernMeta !== undefined;
  }

  /**
   * The handshake: the legacy `initialize` (`params` as given). Only when the upstream rejects it as
   * unknown or unsupported is `server/discover` tried with the 2026-07-28 `_meta` (`clientInfo`, and the
   * capabilities of `params`); if that succeeds the connection is modern from then on. Sets `initResult`;
   * answers the initialize error when neither worked.
   */
  async initialize(params: JsonObject, clientInfo: JsonObject, opts: CallOptions = {}): Promise<RpcOutcome> {
    let o: RpcOutcome;
    // An HTTP 4xx to the legacy handshake also means "not this revision" (checked by code and status).
    let refused: UpstreamError | undefined;
    try {
      o = await this.call('initialize', params, opts);
    } catch (e) {
      if (!isUpstreamError(e) || e.code !== 'UPSTREAM_HTTP_STATUS' || !is4xx(e.httpStatus)) throw e;
      refused = e;
      o = { error: { code: e.rpcCode, message: e.message } };
    }
    if ('result' in o) {
      this.initResult = o.result;
      return o;
    }
    if (!refused && !INIT_REJECTED.has(o.error.code)) return o;
    this.modernMeta = {
      [META.protocolVersion]: MODERN_VERSION,
      [META.clientInfo]: clientInfo,
      [META.clientCapabilities]: isObject(params.capabilities) ? params.capabilities : {},
    };
    const d = await this.call('server/discover', undefined, opts).catch(() => undefined);
    const r = d && 'result' in d ? d.result : undefined;
    const versions = r?.supportedVersions;
    if (!r || (Array.isArray(versions) && !versions.includes(MODERN_VERSION))) {
      this.modernMeta = undefined;
      if (refused) throw refused;
      return o;
    }
    this.logger.info({ target: this.name }, 'upstream speaks only 2026-07-28: using server/discover');
    this.initResult = {
      protocolVersion: MODERN_VERSION,
      capabilities: isObject(r.capabilities) ? r.capabilities : {},
      serverInfo: isObject(r.serverInfo) ? r.serverInfo : { name: this.name, version: '' },
      ...(typeof r.instructions === 'string' ? { instructions: r.instructions } : {}),
    };
    return { result: this.initResult };
  }

  /** Sends a request; resolves with the upstream's result or JSON-RPC error, rejects on transport failure. */
  call(method: string, params: JsonObject | undefined, opts: CallOptions = {}): Promise<RpcOutcome> {
    const attempts = opts.retry?.attemptsFor(method) ?? 1;
    return attempts > 1
      ? this.callRetrying(method, params, opts, attempts)
      : this.callTraced(method, params, opts);
  }

  /** Send again, after the policy's backoff, while the upstream fails without answering (or with a listed status). */
  private async callRetrying(
    method: string,
    params: JsonObject | undefined,
    opts: CallOptions,
    attempts: number,
  ): Promise<RpcOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.callTraced(method, params, opts);
      } catch (e) {
        const retry = opts.retry!;
        const retryable =
          isUpstreamError(e) &&
          (RETRYABLE.has(e.code) ||
            (e.code === 'UPSTREAM_HTTP_STATUS' &&
              e.httpStatus !== undefined &&
              retry.retryableStatus(e.httpStatus)));
        if (!retryable || attempt >= attempts || this.state === 'closed' || opts.scope?.signal?.aborted)
          throw e;
        this.logger.debug(
          { target: this.name, method, attempt, code: e.code },
          'upstream call failed; retrying',
        );
        if (retry.backoffMs > 0) await new Promise((r) => setTimeout(r, retry.backoffMs));
      }
    }
  }

  private callTraced(method: string, params: JsonObject | undefined, opts: CallOptions): Promise<RpcOutcome> {
    const trace = opts.trace;
    if (!trace) return this.callNow(method, params, opts);
    // One client span per upstream call; its traceparent goes upstream (header, or _meta for stdio).
    return trace.child(
      `upstream ${this.name} ${method}`,
      (traceparent) =>
        this.callNow(
          method,
          params,
          traceparent ? { ...opts, traceparent, headers: { ...opts.headers, traceparent } } : opts,
        ),
      'client',
    );
  }

  private callNow(method: string, params: JsonObject | undefined, opts: CallOptions): Promise<RpcOutcome> {
    if (this.state === 'closed') return Promise.reject(this.closedError());
    const id = this.nextId++;
    const scope = opts.scope;
    if (scope?.signal?.aborted) return Promise.reject(new CallCancelled());
    const outParams = this.outgoingParams(id, params, opts);
    const started = performance.now();
    return new Promise<RpcOutcome>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        this.sendCancel(id, 'cancelled by the client', opts);
        pending.fail(new CallCancelled(), null);
      };
      const cleanup = (code: string | undefined | null): void => {
        clearTimeout(timer);
        scope?.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        this.progressMap?.delete(progressKey(id));
        // A cancelled call says nothing about the upstream: not counted.
        if (code !== null) this.telemetry.upstreamCall(this.name, (performance.now() - started) / 1000, code);
      };
      const pending: Pending = {
        method,
        scope,
        resolve: (o) => {
          cleanup(undefined);
          resolve(o);
        },
        fail: (e, code) => {
          if (!this.pending.has(id)) return;
          cleanup(code);
          reject(e);
        },
      };
      this.pending.set(id, pending);
      const ms = opts.timeoutMs ?? this.target.requestTimeoutMs;
      if (ms > 0) {
        timer = setTimeout(() => {
          this.sendCancel(id, 'request timed out', opts);
          pending.fail(
            new GatewayError(
              'REQUEST_TIMEOUT',
              `target "${this.name}" failed: request timed out after ${ms} ms`,
            ),
            'UPSTREAM_TIMEOUT',
          );
        }, ms);
      }
      scope?.signal?.addEventListener('abort', onAbort, { once: true });
      const message = {
        jsonrpc: '2.0',
        id,
        method,
        ...(outParams ? { params: outParams } : {}),
      } as JSONRPCRequest;
      this.upstream
        .send(message, this.sendOpts(this.modernHeaders(method, outParams, opts)))
        .catch((e: unknown) => {
          const err = this.upstreamError(e, 'UPSTREAM_CLOSED', 'send failed');
          pending.fail(err, err.code);
        });
    });
  }

  async notify(method: string, params: JsonObject | undefined, opts: CallOptions = {}): Promise<void> {
    if (this.state === 'closed') return;
    // The stateless revision has no handshake to acknowledge.
    if (this.modernMeta && method === 'notifications/initialized') return;
    const message = { jsonrpc: '2.0', method, ...(params ? { params } : {}) } as JSONRPCNotification;
    await this.upstream.send(message, this.sendOpts(opts));
  }

  /** Answers a request the upstream sent us (sampling, elicitation, roots), with the upstream's own id. */
  async respond(message: JSONRPCResponseMessage, opts: CallOptions = {}): Promise<void> {
    if (this.state === 'closed') return;
    await this.upstream.send(message, this.sendOpts(opts));
  }

  /** The most recent in-flight request that has a stream: where unattributed logging/requests go. */
  latestScope(): CallScope | undefined {
    let last: CallScope | undefined;
    for (const p of this.pending.values()) if (p.scope) last = p.scope;
    return last;
  }

  /** `keepSession`: leave an HTTP upstream's session open for another replica (src/mcp/session/resume.ts). */
  async close(reason = 'session closed', keepSession = false): Promise<void> {
    this.failAll(new UpstreamError('UPSTREAM_CLOSED', this.name, reason));
    this.state = 'closed';
    await this.upstream.close(keepSession ? { keepSession } : undefined).catch((e: unknown) => {
      this.logger.warn({ target: this.name, err: (e as Error).message }, 'upstream close failed');
    });
    this.release?.();
  }

  private outgoingParams(
    id: number,
    params: JsonObject | undefined,
    opts: CallOptions,
  ): JsonObject | undefined {
    if (!params && !this.modernMeta)
      return opts.traceparent && this.upstream.kind === 'stdio'
        ? { _meta: { traceparent: opts.traceparent } }
        : params;
    const meta = params ? metaOf(params) : undefined;
    const stampTrace = opts.traceparent !== undefined && this.upstream.kind === 'stdio';
    const hasToken = meta?.progressToken !== undefined && opts.scope !== undefined;
    if (!hasToken && !stampTrace && !this.modernMeta) return params;
    // A modern upstream gets the 2026-07-28 protocol fields on every request (ours win).
    const outMeta: JsonObject = { ...meta, ...this.modernMeta };
    if (hasToken && opts.scope) {
      // Progress tokens are replaced by the gateway's own, so two clients (or two fan-out targets) can
      // never collide, and each progress notification finds its request's stream.
      (this.progressMap ??= new Map()).set(progressKey(id), {
        token: meta?.progressToken,
        scope: opts.scope,
      });
      outMeta.progressToken = progressKey(id);
    }
    if (stampTrace) outMeta.traceparent = opts.traceparent;
    return { ...params, _meta: outMeta };
  }

  /** HTTP headers the 2026-07-28 revision mirrors from the body (MCP-Protocol-Version, Mcp-Method, Mcp-Name). */
  private modernHeaders(method: string, params: JsonObject | undefined, opts: CallOptions): CallOptions {
    if (!this.modernMeta || this.upstream.kind !== 'mcp') return opts;
    const mirrored = new Set(['mcp-protocol-version', 'mcp-method', 'mcp-name']);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {}))
      if (!mirrored.has(k.toLowerCase())) headers[k] = v;
    headers['mcp-protocol-version'] = MODERN_VERSION;
    headers['mcp-method'] = method;
    const name = method === 'resources/read' ? params?.uri : params?.name;
    if (typeof name === 'string' && NAMED_METHODS.has(method)) headers['mcp-name'] = headerSafe(name);
    return { ...opts, headers };
  }

  private sendOpts(opts: CallOptions): { headers?: Readonly<Record<string, string>> } {
    const headers = this.ownHeaders(opts.headers);
    return headers ? { headers } : {};
  }

  private sendCancel(id: number, reason: string, opts: CallOptions): void {
    void this.notify('notifications/cancelled', { requestId: id, reason }, opts).catch(() => undefined);
  }

  private onMessage(message: JSONRPCMessage): void {
    const m = message as JsonObject;
    if (typeof m.method === 'string') {
      if (m.id !== undefined) {
        this.events.request(this, message as JSONRPCRequest);
        return;
      }
      if (m.method === 'notifications/progress' && isObject(m.params)) {
        const entry = this.progressMap?.get(String(m.params.progressToken));
        if (entry) {
          entry.scope.sink({
            ...message,
            params: { ...m.params, progressToken: entry.token },
          } as JSONRPCMessage);
          return;
        }
      }
      this.events.notification(this, message as JSONRPCNotification);
      return;
    }
    const p = typeof m.id === 'number' ? this.pending.get(m.id) : undefined;
    if (!p) {
      this.logger.debug({ target: this.name, id: m.id }, 'upstream response for no pending request');
      return;
    }
    // A result kept as the upstream's text: passed on unread (../protocol/raw-response.ts).
    if (message instanceof RawResultResponse) p.resolve(message);
    else if (isObject(m.result)) p.resolve({ result: m.result });
    else if (isObject(m.error)) {
      const e = m.error;
      p.resolve({
        error: {
          code: typeof e.code === 'number' ? e.code : -32603,
          message: typeof e.message === 'string' ? e.message : 'upstream error',
          ...(e.data !== undefined ? { data: e.data } : {}),
        },
      });
    } else {
      const err = new UpstreamError('UPSTREAM_PROTOCOL', this.name, 'malformed response');
      p.fail(err, err.code);
    }
  }

  private onClosed(err: UpstreamError): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason = err.detail;
    this.closeCode = err.code;
    this.failAll(err);
    this.release?.();
    this.logger.info({ target: this.name, reason: err.detail, code: err.code }, 'upstream connection closed');
    this.events.closed?.(this, err.detail);
  }

  private failAll(err: UpstreamError): void {
    for (const p of [...this.pending.values()]) p.fail(err, err.code);
  }

  private closedError(): UpstreamError {
    return new UpstreamError(this.closeCode, this.name, this.closeReason);
  }

  /** `e` as this target's UpstreamError; anything untyped gets `code` (and its message as the detail). */
  private upstreamError(e: unknown, code: UpstreamErrorCode, fallback: string): UpstreamError {
    if (isUpstreamError(e) && e.target === this.name) return e;
    if (isUpstreamError(e)) return new UpstreamError(e.code, this.name, e.detail, { cause: e });
    const message = e instanceof Error ? e.message : '';
    return new UpstreamError(code, this.name, failureReason(message || fallback), { cause: e });
  }
}

const NAMED_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** Method not found, unsupported protocol version, invalid params (no `_meta`): "not this revision". */
const INIT_REJECTED = new Set([-32601, -32022, -32602]);

function is4xx(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500;
}

/** Header values are ASCII; anything else is sent as `=?base64?…?=`. */
function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?base64?${Buffer.from(value).toString('base64')}?=`;
}

function progressKey(id: number): string {
  return `portcullis-progress-${id}`;
}
