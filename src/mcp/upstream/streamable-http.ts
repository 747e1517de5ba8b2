import { pause } from '../../net/pause.js';
import { setMaxListeners } from 'node:events';
import type { JSONRPCMessage, JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { Agent, Dispatcher } from 'undici';
import { mergeHeadersInto, MCP_RESERVED } from './headers.js';
import { UpstreamError, isUpstreamError } from '../../errors/upstream.js';
import {
  asMessage,
  isNotification,
  isRequest,
  isResponse,
  parseMessage,
  type RequestId,
} from './rpc-client.js';
import { isAbortError, networkError, statusError, type TimeoutInfo } from './net-errors.js';
import { readSse, SseParser } from './sse-parser.js';
import { scanResultResponse } from '../protocol/envelope-scan.js';
import { asJsonRpc } from '../protocol/raw-response.js';
import type { Upstream, UpstreamSendOptions } from './upstream.js';

export interface StreamableHttpOptions {
  readonly target: string;
  readonly url: string;
  readonly agent: Agent;
  readonly logger: Logger;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

type ResponseData = Dispatcher.ResponseData;

/** What every POST accepts and sends (lower-case: merged as they are). */
const POST_HEADERS: Readonly<Record<string, string>> = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
};

/** How often a POST stream that ended before its response is resumed (GET + Last-Event-ID). */
const MAX_RESUME_ATTEMPTS = 3;
/** Consecutive failed reconnects of the GET stream before giving up on it. */
const MAX_GET_RECONNECTS = 5;
const DEFAULT_RETRY_MS = 1000;
/** Tries to open the GET stream while the upstream answers 409 (one stream per session, still held). */
const GET_CONFLICT_ATTEMPTS = 20;
const MAX_RETRY_MS = 10_000;

/**
 * A Streamable HTTP MCP server (spec 2025-03-26+). Every message is a POST; answers come back as JSON or
 * as an SSE stream; the upstream's `Mcp-Session-Id` and the negotiated protocol version are sent on every
 * later request. When the upstream answers 404 to a request carrying its session id (it restarted or
 * expired the session) the stored `initialize` request and `notifications/initialized` are replayed to
 * get a new session, then the message is sent again — the client never notices. `send` settles when the
 * message is done: for a request, once its answer arrived (JSON or the end of its SSE stream); HTTP,
 * network and protocol failures reject it with an `UpstreamError`.
 */
export class StreamableHttpUpstream implements Upstream {
  readonly kind = 'mcp' as const;
  readonly target: string;
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;

  readonly #url: URL;
  /** `#url` split once for undici (every POST sends the same origin and path). */
  readonly #origin: string;
  readonly #path: string;
  readonly #agent: Agent;
  readonly #log: Logger;
  readonly #timeouts: TimeoutInfo;
  readonly #abort = new AbortController();
  #sessionId: string | undefined;
  #protocolVersion: string | undefined;
  #initRequest: JSONRPCRequest | undefined;
  #initializedSent = false;
  #reinit: Promise<void> | undefined;
  #reinitCount = 0;
  /** Headers of the latest send (backendAuth...), reused for GET, DELETE and re-initialization. */
  #lastHeaders: Readonly<Record<string, string>> | undefined;
  #retryMs: number | undefined;
  #wantEventStream = false;
  #eventStreamActive = false;
  #closed = false;
  /** Resumed from a sealed session id: no stored initialize to replay, so an upstream 404 ends the session. */
  #lost = false;
  /** Ends the GET stream alone (closeEventStream), not the connection. */
  #getAbort = new AbortController();

  constructor(opts: StreamableHttpOptions) {
    this.target = opts.target;
    this.#url = new URL(opts.url);
    this.#origin = this.#url.origin;
    this.#path = this.#url.pathname + this.#url.search;
    this.#agent = opts.agent;
    this.#log = opts.logger;
    this.#timeouts = { connectTimeoutMs: opts.connectTimeoutMs, requestTimeoutMs: opts.requestTimeoutMs };
    // Every in-flight request of the session listens on this signal: many concurrent calls are normal,
    // not a leak, so lift the default cap of 10 listeners (which would print MaxListenersExceededWarning).
    setMaxListeners(0, this.#abort.signal);
  }

  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  get sessionLost(): boolean {
    return this.#lost;
  }

  resume(sessionId: string, protocolVersion: string | undefined): void {
    this.#sessionId = sessionId === '' ? undefined : sessionId;
    this.#protocolVersion = protocolVersion;
    this.#initializedSent = true;
  }

  /** Nothing to connect: Streamable HTTP is request/response; the first POST opens a pooled connection. */
  async start(): Promise<void> {}

  async send(message: JSONRPCMessage, opts?: UpstreamSendOptions): Promise<void> {
    if (this.#closed) throw this.#closedError();
    if (opts?.headers) this.#lastHeaders = opts.headers;
    if (isRequest(message) && message.method === 'initialize') {
      this.#initRequest = message;
      this.#sessionId = undefined;
      this.#protocolVersion = undefined;
    } else if (isNotification(message) && message.method === 'notifications/initialized') {
      this.#initializedSent = true;
    }
    await this.#post(message, opts, true);
  }

  async openEventStream(opts?: UpstreamSendOptions): Promise<void> {
    if (this.#closed) throw this.#closedError();
    if (opts?.headers) this.#lastHeaders = opts.headers;
    this.#wantEventStream = true;
    if (this.#eventStreamActive) return;
    // 409: another replica still reads this session's stream (the client's stream just moved here).
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#openGet(undefined, true);
      } catch (err) {
        const busy = isUpstreamError(err) && err.httpStatus === 409;
        if (!busy || attempt >= GET_CONFLICT_ATTEMPTS || this.#closed || !this.#wantEventStream) throw err;
        await pause(this.#retryDelay() / 4, this.#getSignal());
      }
    }
  }

  /**
   * Stop reading the GET stream (the session's client stream moved elsewhere), so that the replica now
   * holding the client's stream can open it: an upstream allows one per session.
   */
  closeEventStream(): void {
    this.#wantEventStream = false;
    this.#getAbort.abort();
    this.#getAbort = new AbortController();
  }

  async close(opts?: { readonly keepSession?: boolean }): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    const sessionId = this.#sessionId;
    if (sessionId !== undefined && !opts?.keepSession) {
      try {
        const res = await this.#agent.request({
          origin: this.#url.origin,
          path: this.#url.pathname + this.#url.search,
          method: 'DELETE',
          headers: this.#headers({}, this.#lastHeaders),
          signal: AbortSignal.timeout(Math.min(this.#timeouts.requestTimeoutMs || 5000, 5000)),
          headersTimeout: Math.min(this.#timeouts.requestTimeoutMs || 5000, 5000),
        });
        await res.body.dump();
      } catch (err) {
        this.#log.debug({ target: this.target, err: errorText(err) }, 'upstream session DELETE failed');
      }
    }
    this.onclose?.(undefined);
  }

  async #post(
    message: JSONRPCMessage,
    opts: UpstreamSendOptions | undefined,
    mayReinit: boolean,
  ): Promise<void> {
    if (this.#reinit) await this.#reinit.catch(() => undefined);
    const sentWith = this.#sessionId;
    const signal = this.#signal(opts?.signal);
    let res: ResponseData;
    try {
      res = await this.#agent.request({
        origin: this.#origin,
        path: this.#path,
        method: 'POST',
        headers: this.#headers(POST_HEADERS, opts?.headers),
        body: JSON.stringify(message),
        signal,
        headersTimeout: this.#timeouts.requestTimeoutMs || undefined,
        bodyTimeout: 0,
      });
    } catch (err) {
      if (signal.aborted || isAbortError(err)) return;
      throw networkError(this.target, err, this.#timeouts);
    }
    const sid = header(res, 'mcp-session-id');
    if (sid !== undefined && isRequest(message) && message.method === 'initialize') this.#sessionId = sid;
    else if (sid !== undefined && this.#sessionId === undefined) this.#sessionId = sid;

    const status = res.statusCode;
    if (
      status === 404 &&
      sentWith !== undefined &&
      mayReinit &&
      this.#initRequest &&
      !isInitialize(message)
    ) {
      await res.body.dump();
      try {
        await this.#reinitialize(sentWith, opts?.signal);
      } catch (err) {
        const u = isUpstreamError(err) ? err : networkError(this.target, err, this.#timeouts);
        throw new UpstreamError(
          u.code,
          this.target,
          `upstream session expired and re-initialization failed: ${u.detail}`,
          { cause: err },
        );
      }
      return this.#post(message, opts, false);
    }
    if (status === 404 && sentWith !== undefined && !this.#initRequest) this.#lost = true;
    if (status < 200 || status >= 300) return this.#failFromStatus(message, res);
    if (status === 202 || status === 204) {
      await res.body.dump();
      return;
    }
    const type = mediaType(res);
    const id = isRequest(message) ? message.id : undefined;
    if (type === 'text/event-stream') {
      // Progress, logging and server requests arrive before the answer; send settles once the answer
      // arrived (the stream is read on in the background) or the stream failed before it.
      return new Promise<void>((resolve, reject) => {
        let answered = false;
        const onAnswer = (): void => {
          answered = true;
          resolve();
        };
        this.#readPostStream(res.body, id, signal, 0, onAnswer).then(resolve, (err: unknown) => {
          if (!answered) return reject(err);
          this.#log.error({ target: this.target, err: errorText(err) }, 'reading the upstream stream failed');
        });
      });
    }
    if (type === 'application/json') {
      let messages: JSONRPCMessage[];
      try {
        messages = parseJsonMessages(await res.body.text());
      } catch (err) {
        if (signal.aborted) return;
        throw this.#protocolError(`invalid JSON response (${errorText(err)})`);
      }
      for (const m of messages) this.#deliver(m);
      if (id !== undefined && !messages.some((m) => isResponse(m) && m.id === id)) {
        throw this.#protocolError('the response did not answer the request');
      }
      return;
    }
    await res.body.dump();
    throw this.#protocolError(`unexpected content type "${type || '(none)'}"`);
  }

  /** An SSE answer to a POST. If it ends before the response, resume it with GET + Last-Event-ID. */
  async #readPostStream(
    body: AsyncIterable<Uint8Array>,
    id: RequestId | undefined,
    signal: AbortSignal,
    attempt: number,
    onAnswer: () => void,
  ): Promise<void> {
    const parser = new SseParser();
    let lastEventId: string | undefined;
    let answered = false;
    let broken: unknown;
    try {
      for await (const ev of readSse(body, parser)) {
        if (ev.id !== undefined) lastEventId = ev.id;
        const m = this.#eventMessage(ev);
        if (!m) continue;
        const isAnswer = id !== undefined && isResponse(m) && m.id === id;
        if (isAnswer) answered = true;
        this.#deliver(m);
        if (isAnswer) onAnswer();
      }
    } catch (err) {
      broken = err;
    }
    if (parser.retryMs !== undefined) this.#retryMs = parser.retryMs;
    if (answered || id === undefined || signal.aborted || this.#closed) return;
    if (lastEventId !== undefined && attempt < MAX_RESUME_ATTEMPTS) {
      await pause(this.#retryDelay(), signal);
      if (signal.aborted || this.#closed) return;
      let res: ResponseData;
      try {
        res = await this.#get(lastEventId, signal);
      } catch (err) {
        if (signal.aborted) return;
        throw networkError(this.target, err, this.#timeouts, 'stream resumption failed: ');
      }
      if (res.statusCode >= 200 && res.statusCode < 300 && mediaType(res) === 'text/event-stream') {
        return this.#readPostStream(res.body, id, signal, attempt + 1, onAnswer);
      }
      await res.body.dump();
      throw statusError(this.target, res.statusCode, 'stream resumption failed: ');
    }
    const cause = broken ? networkError(this.target, broken, this.#timeouts) : undefined;
    throw new UpstreamError(
      cause?.code ?? 'UPSTREAM_CLOSED',
      this.target,
      `the upstream closed the response stream before answering (${cause?.detail ?? 'stream ended'})`,
      { cause: broken },
    );
  }

  /** The server→client stream (GET). 405 = the upstream has none, which is fine. */
  async #openGet(lastEventId: string | undefined, mayReinit: boolean): Promise<void> {
    const sentWith = this.#sessionId;
    let res: ResponseData;
    try {
      res = await this.#get(lastEventId, this.#getSignal());
    } catch (err) {
      if (this.#closed) return;
      throw networkError(this.target, err, this.#timeouts, 'event stream: ');
    }
    if (res.statusCode === 405) {
      await res.body.dump();
      this.#wantEventStream = false;
      this.#log.debug({ target: this.target }, 'upstream offers no GET event stream (405)');
      return;
    }
    if (res.statusCode === 404 && sentWith !== undefined && mayReinit && this.#initRequest) {
      await res.body.dump();
      await this.#reinitialize(sentWith, undefined);
      return this.#openGet(undefined, false);
    }
    if (res.statusCode === 404 && sentWith !== undefined && !this.#initRequest) this.#lost = true;
    if (res.statusCode < 200 || res.statusCode >= 300 || mediaType(res) !== 'text/event-stream') {
      await res.body.dump();
      throw statusError(this.target, res.statusCode, 'event stream: ');
    }
    this.#eventStreamActive = true;
    void this.#readEventStream(res.body, lastEventId).catch((err: unknown) => {
      this.#eventStreamActive = false;
      this.#log.error(
        { target: this.target, err: errorText(err) },
        'reading the upstream event stream failed',
      );
    });
  }

  /** Reads the GET stream; reconnects (Last-Event-ID) when the upstream ends it, until closed. */
  async #readEventStream(body: AsyncIterable<Uint8Array>, lastEventId: string | undefined): Promise<void> {
    let failures = 0;
    for (;;) {
      const parser = new SseParser();
      let delivered = false;
      try {
        for await (const ev of readSse(body, parser)) {
          if (ev.id !== undefined) lastEventId = ev.id;
          const m = this.#eventMessage(ev);
          if (!m) continue;
          delivered = true;
          this.#deliver(m);
        }
      } catch {
        // the stream broke; reconnect below
      }
      if (parser.retryMs !== undefined) this.#retryMs = parser.retryMs;
      failures = delivered ? 0 : failures + 1;
      if (this.#closed || !this.#wantEventStream) break;
      if (failures > MAX_GET_RECONNECTS) {
        this.#log.warn({ target: this.target }, 'upstream event stream keeps failing; giving up on it');
        break;
      }
      await pause(this.#retryDelay(), this.#getSignal());
      if (this.#closed || !this.#wantEventStream) break;
      try {
        const res = await this.#get(lastEventId, this.#getSignal());
        if (res.statusCode === 404 && this.#initRequest) {
          await res.body.dump();
          await this.#reinitialize(this.#sessionId, undefined);
          lastEventId = undefined;
          body = emptyBody();
          continue;
        }
        if (res.statusCode < 200 || res.statusCode >= 300 || mediaType(res) !== 'text/event-stream') {
          await res.body.dump();
          if (res.statusCode === 405) break;
          lastEventId = undefined;
          body = emptyBody();
          continue;
        }
        body = res.body;
      } catch {
        body = emptyBody();
      }
    }
    this.#eventStreamActive = false;
  }

  #get(lastEventId: string | undefined, signal: AbortSignal): Promise<ResponseData> {
    const extra: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== undefined) extra['last-event-id'] = lastEventId;
    return this.#agent.request({
      origin: this.#url.origin,
      path: this.#url.pathname + this.#url.search,
      method: 'GET',
      headers: this.#headers(extra, this.#lastHeaders),
      signal,
      headersTimeout: this.#timeouts.requestTimeoutMs || undefined,
      bodyTimeout: 0,
    });
  }

  /** One re-initialization at a time; callers that saw the same stale session share it. */
  async #reinitialize(stale: string | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (this.#reinit) return this.#reinit;
    if (this.#sessionId !== stale) return;
    this.#reinit = this.#replayInitialize(signal).finally(() => (this.#reinit = undefined));
    return this.#reinit;
  }

  async #replayInitialize(callerSignal: AbortSignal | undefined): Promise<void> {
    const init = this.#initRequest!;
    this.#sessionId = undefined;
    this.#protocolVersion = undefined;
    const id = `portcullis-reinit-${++this.#reinitCount}`;
    const signal = this.#signal(callerSignal);
    const res = await this.#agent.request({
      origin: this.#url.origin,
      path: this.#url.pathname + this.#url.search,
      method: 'POST',
      headers: this.#headers(
        { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
        this.#lastHeaders,
      ),
      body: JSON.stringify({ ...init, id }),
      signal,
      headersTimeout: this.#timeouts.requestTimeoutMs || undefined,
      bodyTimeout: 0,
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      throw statusError(this.target, res.statusCode);
    }
    const sid = header(res, 'mcp-session-id');
    const answer = await readAnswer(res, id);
    if (!answer || !('result' in answer)) {
      throw this.#protocolError(answer && 'error' in answer ? answer.error.message : 'no initialize result');
    }
    const version = (answer.result as { protocolVersion?: unknown }).protocolVersion;
    this.#protocolVersion = typeof version === 'string' ? version : undefined;
    this.#sessionId = sid;
    if (this.#initializedSent) {
      const ack = await this.#agent.request({
        origin: this.#url.origin,
        path: this.#url.pathname + this.#url.search,
        method: 'POST',
        headers: this.#headers(
          { accept: 'application/json, text/event-stream', 'content-type': 'application/json' },
          this.#lastHeaders,
        ),
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
        signal,
        headersTimeout: this.#timeouts.requestTimeoutMs || undefined,
      });
      await ack.body.dump();
    }
    this.#log.info({ target: this.target }, 'upstream session was lost (404); re-initialized');
    if (this.#wantEventStream && !this.#eventStreamActive) {
      void this.#openGet(undefined, false).catch((err: unknown) =>
        this.#log.debug({ target: this.target, err: errorText(err) }, 'event stream not reopened'),
      );
    }
  }

  #headers(
    extra: Readonly<Record<string, string>>,
    perSend: Readonly<Record<string, string>> | undefined,
  ): Record<string, string> {
    const base: Record<string, string> = { ...extra };
    if (this.#sessionId !== undefined) base['mcp-session-id'] = this.#sessionId;
    // The version negotiated with this upstream wins; without an initialize (the stateless 2026 era)
    // the caller's per-request version is the one to send.
    const version = this.#protocolVersion ?? headerValue(perSend, 'mcp-protocol-version');
    if (version !== undefined) base['mcp-protocol-version'] = version;
    return mergeHeadersInto(base, perSend, MCP_RESERVED);
  }

  #getSignal(): AbortSignal {
    return AbortSignal.any([this.#getAbort.signal, this.#abort.signal]);
  }

  #signal(caller: AbortSignal | undefined): AbortSignal {
    return caller ? AbortSignal.any([caller, this.#abort.signal]) : this.#abort.signal;
  }

  #retryDelay(): number {
    return Math.min(this.#retryMs ?? DEFAULT_RETRY_MS, MAX_RETRY_MS);
  }

  #eventMessage(ev: { event: string | undefined; data: string }): JSONRPCMessage | undefined {
    if (ev.data === '' || (ev.event !== undefined && ev.event !== 'message')) return undefined;
    try {
      const m = parseMessage(ev.data);
      if (m) return m;
    } catch {
      // fall through
    }
    this.#log.warn(
      { target: this.target, data: ev.data.slice(0, 200) },
      'upstream sent an invalid SSE message',
    );
    return undefined;
  }

  async #failFromStatus(message: JSONRPCMessage, res: ResponseData): Promise<void> {
    let text = '';
    try {
      text = await res.body.text();
    } catch {
      // ignore
    }
    // An upstream that answers a JSON-RPC error with an HTTP error status: its own answer is the best one.
    if (isRequest(message)) {
      try {
        const m = asMessage(JSON.parse(text));
        if (m && isResponse(m) && m.id === message.id && 'error' in m) return this.#deliver(m);
      } catch {
        // not JSON
      }
    }
    this.#log.warn(
      { target: this.target, status: res.statusCode, body: text.slice(0, 500) },
      'upstream answered with an HTTP error',
    );
    throw statusError(this.target, res.statusCode);
  }

  #protocolError(detail: string): UpstreamError {
    return new UpstreamError('UPSTREAM_PROTOCOL', this.target, detail);
  }

  #closedError(): UpstreamError {
    return new UpstreamError('UPSTREAM_CLOSED', this.target, 'connection closed');
  }

  #deliver(m: JSONRPCMessage): void {
    if (this.#closed) return;
    const init = this.#initRequest;
    if (init && isResponse(m) && m.id === init.id && 'result' in m) {
      const version = (m.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') this.#protocolVersion = version;
    }
    this.onmessage?.(m);
  }
}

function headerValue(
  headers: Readonly<Record<string, string>> | undefined,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function isInitialize(m: JSONRPCMessage): boolean {
  return isRequest(m) && m.method === 'initialize';
}

function header(res: ResponseData, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function mediaType(res: ResponseData): string {
  return (header(res, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

function parseJsonMessages(text: string): JSONRPCMessage[] {
  // The common case, one result response, keeps its result as text (../protocol/raw-response.ts).
  const raw = scanResultResponse(text);
  if (raw) return [asJsonRpc(raw)];
  const value: unknown = JSON.parse(text);
  const list = Array.isArray(value) ? value : [value];
  const out: JSONRPCMessage[] = [];
  for (const v of list) {
    const m = asMessage(v);
    if (m) out.push(m);
  }
  return out;
}

/** The response with `id` from a JSON or SSE answer (other messages of an internal exchange are dropped). */
async function readAnswer(res: ResponseData, id: RequestId): Promise<JSONRPCMessage | undefined> {
  if (mediaType(res) === 'text/event-stream') {
    for await (const ev of readSse(res.body, new SseParser())) {
      if (ev.data === '') continue;
      try {
        const m = asMessage(JSON.parse(ev.data));
        if (m && isResponse(m) && m.id === id) {
          void res.body.dump().catch(() => undefined);
          return m;
        }
      } catch {
        // skip
      }
    }
    return undefined;
  }
  const messages = parseJsonMessages(await res.body.text());
  return messages.find((m) => isResponse(m) && m.id === id);
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
