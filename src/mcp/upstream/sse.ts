import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { Agent, Dispatcher } from 'undici';
import { mergeHeaders, MCP_RESERVED } from './headers.js';
import { UpstreamError, isUpstreamError } from '../../errors/upstream.js';
import { asMessage } from './rpc-client.js';
import { isAbortError, networkError, statusError, type TimeoutInfo } from './net-errors.js';
import { readSse, SseParser } from './sse-parser.js';
import type { Upstream, UpstreamSendOptions } from './upstream.js';

export interface SseUpstreamOptions {
  readonly target: string;
  readonly url: string;
  readonly agent: Agent;
  readonly logger: Logger;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * A legacy HTTP+SSE MCP server (spec 2024-11-05): a GET opens the event stream, whose first `endpoint`
 * event names the URL to POST messages to (resolved against the SSE URL, same origin only); every answer
 * arrives on the stream as a `message` event. The session lives as long as the stream: when the upstream
 * ends it, `onclose` fires with the reason. Failures are `UpstreamError`s: `start` and `send` reject with
 * them (a POST the upstream refused fails its message), `onclose` carries one.
 */
export class SseUpstream implements Upstream {
  readonly kind = 'sse' as const;
  readonly target: string;
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;

  readonly #url: URL;
  readonly #agent: Agent;
  readonly #log: Logger;
  readonly #timeouts: TimeoutInfo;
  readonly #abort = new AbortController();
  #endpoint: URL | undefined;
  #headers: Readonly<Record<string, string>> | undefined;
  #state: 'new' | 'starting' | 'open' | 'closed' = 'new';

  constructor(opts: SseUpstreamOptions) {
    this.target = opts.target;
    this.#url = new URL(opts.url);
    this.#agent = opts.agent;
    this.#log = opts.logger;
    this.#timeouts = { connectTimeoutMs: opts.connectTimeoutMs, requestTimeoutMs: opts.requestTimeoutMs };
  }

  async start(opts?: UpstreamSendOptions): Promise<void> {
    if (this.#state !== 'new') throw new Error(`target "${this.target}" already started`);
    this.#state = 'starting';
    this.#headers = opts?.headers;
    const fail = (e: UpstreamError): UpstreamError => {
      this.#state = 'closed';
      this.#abort.abort();
      return e;
    };
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#agent.request({
        origin: this.#url.origin,
        path: this.#url.pathname + this.#url.search,
        method: 'GET',
        headers: mergeHeaders({ accept: 'text/event-stream' }, this.#headers, MCP_RESERVED),
        signal: this.#abort.signal,
        headersTimeout: this.#timeouts.requestTimeoutMs || undefined,
        bodyTimeout: 0,
      });
    } catch (err) {
      throw fail(networkError(this.target, err, this.#timeouts));
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump().catch(() => undefined);
      throw fail(statusError(this.target, res.statusCode));
    }

    const events = readSse(res.body, new SseParser());
    // The first thing the stream must say is where to POST.
    const endpoint = await this.#awaitEndpoint(events).catch((err: unknown) => err as Error);
    if (endpoint instanceof Error)
      throw fail(
        isUpstreamError(endpoint)
          ? endpoint
          : new UpstreamError('UPSTREAM_PROTOCOL', this.target, endpoint.message),
      );
    if (this.#isClosed())
      throw fail(new UpstreamError('UPSTREAM_CLOSED', this.target, 'closed while starting'));
    this.#endpoint = endpoint;
    this.#state = 'open';
    void this.#pump(events);
  }

  async send(message: JSONRPCMessage, opts?: UpstreamSendOptions): Promise<void> {
    const endpoint = this.#endpoint;
    if (this.#state !== 'open' || !endpoint)
      throw new UpstreamError('UPSTREAM_CLOSED', this.target, 'connection closed');
    const signal = opts?.signal ? AbortSignal.any([opts.signal, this.#abort.signal]) : this.#abort.signal;
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#agent.request({
        origin: endpoint.origin,
        path: endpoint.pathname + endpoint.search,
        method: 'POST',
        headers: mergeHeaders(
          { 'content-type': 'application/json' },
          opts?.headers ?? this.#headers,
          MCP_RESERVED,
        ),
        body: JSON.stringify(message),
        signal,
        headersTimeout: this.#timeouts.requestTimeoutMs || undefined,
      });
    } catch (err) {
      if (signal.aborted || isAbortError(err)) return;
      throw networkError(this.target, err, this.#timeouts);
    }
    const text = await res.body.text().catch(() => '');
    if (res.statusCode < 200 || res.statusCode >= 300) {
      this.#log.warn(
        { target: this.target, status: res.statusCode, body: text.slice(0, 500) },
        'upstream answered with an HTTP error',
      );
      throw statusError(this.target, res.statusCode);
    }
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    this.#abort.abort();
    if (wasOpen) this.onclose?.(undefined);
  }

  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  async #awaitEndpoint(events: AsyncGenerator<{ event: string | undefined; data: string }>): Promise<URL> {
    const ms = this.#timeouts.requestTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      if (ms > 0)
        timer = setTimeout(
          () =>
            reject(new UpstreamError('UPSTREAM_TIMEOUT', this.target, `no endpoint event within ${ms} ms`)),
          ms,
        );
    });
    try {
      const first = (async () => {
        for (;;) {
          const next = await events.next().catch((err: unknown) => {
            throw networkError(this.target, err, this.#timeouts);
          });
          if (next.done)
            throw new UpstreamError(
              'UPSTREAM_CLOSED',
              this.target,
              'the SSE stream ended before the endpoint event',
            );
          if (next.value.event !== 'endpoint') continue;
          let url: URL;
          try {
            url = new URL(next.value.data.trim(), this.#url);
          } catch {
            throw new Error('invalid endpoint event');
          }
          if (url.origin !== this.#url.origin) throw new Error('the endpoint event names another origin');
          return url;
        }
      })();
      first.catch(() => undefined); // a loser of the race must not become an unhandled rejection
      return await Promise.race([first, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #pump(events: AsyncGenerator<{ event: string | undefined; data: string }>): Promise<void> {
    let why = new UpstreamError('UPSTREAM_CLOSED', this.target, 'the SSE stream ended');
    try {
      for await (const ev of events) {
        if (ev.data === '' || (ev.event !== undefined && ev.event !== 'message')) continue;
        let m: JSONRPCMessage | undefined;
        try {
          m = asMessage(JSON.parse(ev.data));
        } catch {
          m = undefined;
        }
        if (!m) {
          this.#log.warn(
            { target: this.target, data: ev.data.slice(0, 200) },
            'upstream sent an invalid SSE message',
          );
          continue;
        }
        if (this.#state === 'open') this.onmessage?.(m);
      }
    } catch (err) {
      const e = networkError(this.target, err, this.#timeouts);
      why = new UpstreamError(e.code, this.target, `the SSE stream broke (${e.detail})`, { cause: err });
    }
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#abort.abort();
    this.onclose?.(why);
  }
}
