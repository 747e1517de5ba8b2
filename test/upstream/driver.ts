/**
 * Test helpers for the upstream layer: targets, loggers that capture lines, and a tiny JSON-RPC client
 * over the `Upstream` interface (what the session does, minus everything else).
 */
import { Writable } from 'node:stream';
import { LATEST_PROTOCOL_VERSION, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { pino, type Logger } from 'pino';
import type { NormalizedTarget } from '../../src/config/types.js';
import { isUpstreamError } from '../../src/errors/upstream.js';
import type { Upstream, UpstreamSendOptions } from '../../src/mcp/upstream/upstream.js';
import type { McpTelemetry } from '../../src/telemetry/hooks.js';

export type Json = Record<string, unknown>;

export function target(name: string, spec: Json): NormalizedTarget {
  return {
    name,
    tools: undefined,
    connectTimeoutMs: 5000,
    requestTimeoutMs: 20_000,
    at: [],
    ...spec,
  } as unknown as NormalizedTarget;
}

export interface CapturedLogger {
  readonly logger: Logger;
  readonly lines: Json[];
}

export function captureLogger(): CapturedLogger {
  const lines: Json[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Json);
      done();
    },
  });
  return { logger: pino({ level: 'debug', base: undefined }, stream), lines };
}

export function recordingTelemetry(): McpTelemetry & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    mcpRequest() {},
    upstreamCall: (t, _s, e) => void events.push(`call:${t}:${e ?? 'ok'}`),
    sessionOpened() {},
    sessionClosed() {},
    childSpawned: (t) => void events.push(`spawned:${t}`),
    childExited: (t) => void events.push(`exited:${t}`),
  };
}

/** Poll until `check` returns a truthy value; fails after `ms`. Never a sleep used as an assertion. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  ms = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface Response {
  readonly id: string | number;
  readonly result?: Json;
  readonly error?: { code: number; message: string };
  /** The UpstreamError code when the transport failed the request. */
  readonly upstreamCode?: string;
}

/** A minimal client: numbered requests, collected notifications, automatic answers to server requests. */
export class Driver {
  readonly notifications: Json[] = [];
  readonly serverRequests: Json[] = [];
  /** Responses to no pending request (a duplicate answer would land here). */
  readonly unexpected: Json[] = [];
  readonly closed: Promise<Error | undefined>;
  closeCount = 0;
  /** Answers server→client requests (sampling, elicitation, roots). */
  onServerRequest: (req: Json) => Json = () => ({});
  #next = 1;
  readonly #pending = new Map<string | number, (r: Response) => void>();

  constructor(readonly upstream: Upstream) {
    let resolveClosed!: (r: Error | undefined) => void;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    upstream.onmessage = (m) => this.#onMessage(m as unknown as Json);
    upstream.onclose = (reason) => {
      this.closeCount++;
      resolveClosed(reason);
    };
  }

  /**
   * Sends a request; resolves with its response (result or error). A send rejected with an UpstreamError
   * becomes the error the gateway's edge would answer (`code` is its JSON-RPC code, `upstreamCode` its
   * registry code); other rejections reject.
   */
  request(method: string, params?: Json, opts?: UpstreamSendOptions): Promise<Response> {
    const id = this.#next++;
    const answered = new Promise<Response>((resolve) => this.#pending.set(id, resolve));
    const message = { jsonrpc: '2.0', id, method, ...(params ? { params } : {}) } as JSONRPCMessage;
    return this.upstream.send(message, opts).then(
      () => answered,
      (e: unknown) => {
        this.#pending.delete(id);
        if (!isUpstreamError(e)) throw e;
        return { id, error: { code: e.rpcCode, message: e.message }, upstreamCode: e.code };
      },
    );
  }

  /** Sends a request and returns its `result`, failing on an error response. */
  async call(method: string, params?: Json, opts?: UpstreamSendOptions): Promise<Json> {
    const r = await this.request(method, params, opts);
    if (r.error) throw new Error(`${method} failed: ${r.error.message}`);
    return r.result!;
  }

  notify(method: string, params?: Json, opts?: UpstreamSendOptions): Promise<void> {
    return this.upstream.send(
      { jsonrpc: '2.0', method, ...(params ? { params } : {}) } as JSONRPCMessage,
      opts,
    );
  }

  async initialize(opts?: UpstreamSendOptions): Promise<Json> {
    const result = await this.call(
      'initialize',
      {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: { sampling: {}, elicitation: {}, roots: {} },
        clientInfo: { name: 'portcullis-upstream-test', version: '1.0.0' },
      },
      opts,
    );
    await this.notify('notifications/initialized', undefined, opts);
    return result;
  }

  async #onMessage(m: Json): Promise<void> {
    if (typeof m.method === 'string' && m.id !== undefined) {
      this.serverRequests.push(m);
      const result = this.onServerRequest(m);
      await this.upstream.send({ jsonrpc: '2.0', id: m.id, result } as JSONRPCMessage);
      return;
    }
    if (typeof m.method === 'string') {
      this.notifications.push(m);
      return;
    }
    const resolve = this.#pending.get(m.id as string | number);
    if (!resolve) {
      this.unexpected.push(m);
      return;
    }
    this.#pending.delete(m.id as string | number);
    resolve(m as unknown as Response);
  }
}

/** The text of the first text content item of a tools/call result. */
export function firstText(result: Json): string {
  const content = result.content as { type: string; text?: string }[];
  return content.find((c) => c.type === 'text')?.text ?? '';
}
