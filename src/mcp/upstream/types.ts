import type { PeerCertificate } from 'node:tls';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * TLS options for HTTPS upstreams (a subset of `tls.connect` options, PEM text; the route's backendTLS).
 * `key` is equal for equal options, and connection pools are keyed by origin + `key`.
 */
export interface UpstreamTls {
  readonly key: string;
  readonly connect: {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly servername?: string;
    readonly rejectUnauthorized?: boolean;
    readonly checkServerIdentity?: (hostname: string, cert: PeerCertificate) => Error | undefined;
  };
}

/** Per-call options. `headers` go on HTTP upstream requests (backendAuth, traceparent, forwarded headers). */
export interface UpstreamSendOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/**
 * One connection to one upstream MCP server, whatever the transport (STYLE §6: upstreams don't know about
 * policy). Shaped like the SDK's Transport so the SDK transports can sit behind it.
 * - Responses and server-initiated messages (notifications, requests) arrive through `onmessage`.
 * - `onclose` fires once when the connection ends (child exited, stream closed, `close()` called);
 *   the session then fails every request still in flight to this upstream at once.
 */
export interface Upstream {
  readonly target: string;
  readonly kind: 'stdio' | 'mcp' | 'sse' | 'openapi';
  /**
   * Connect (spawn, open SSE stream...). Rejects with an Error whose message says what failed.
   * `opts.headers` go on the connecting request where there is one (legacy SSE GET).
   */
  start(opts?: UpstreamSendOptions): Promise<void>;
  /**
   * Send one message. HTTP upstreams answer a request that fails on the wire (HTTP error status, network
   * failure, timeout) through `onmessage` with a JSON-RPC error naming the target
   * (`target "mcp2" failed: HTTP 500 Internal Server Error`). `send` rejects when the message could not be
   * handed over at all (stdio child not running, connection closed) or, for notifications and responses,
   * when the upstream refused them (no id to answer).
   */
  send(message: JSONRPCMessage, opts?: UpstreamSendOptions): Promise<void>;
  /** Open the server→client stream (Streamable HTTP GET); no-op where messages always flow. */
  openEventStream?(opts?: UpstreamSendOptions): Promise<void>;
  /** End the connection (DELETE for Streamable HTTP, kill the process group for stdio). Idempotent. */
  close(): Promise<void>;
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;
  /** The stdio child's pid, for process hygiene checks and metrics. */
  readonly pid?: number | undefined;
  /** The upstream's own session id (Streamable HTTP). */
  readonly sessionId?: string | undefined;
}
