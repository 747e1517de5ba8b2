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
   * Connect (spawn, open SSE stream...). Rejects with an `UpstreamError` (src/errors/upstream.ts) saying
   * what failed (`UPSTREAM_SPAWN_FAILED`, `UPSTREAM_CONNECT_REFUSED`...).
   * `opts.headers` go on the connecting request where there is one (legacy SSE GET).
   */
  start(opts?: UpstreamSendOptions): Promise<void>;
  /**
   * Send one message. Rejects with an `UpstreamError` when the message failed: it could not be handed over
   * (stdio child not running, connection closed), or — HTTP upstreams — its POST failed on the wire (HTTP
   * error status, network failure, timeout, a response stream that ended before the answer). A rejected
   * request gets no answer through `onmessage`; the caller fails it. An upstream that answers a JSON-RPC
   * error (even with an HTTP error status) answers through `onmessage` as usual.
   */
  send(message: JSONRPCMessage, opts?: UpstreamSendOptions): Promise<void>;
  /** Open the server→client stream (Streamable HTTP GET); no-op where messages always flow. */
  openEventStream?(opts?: UpstreamSendOptions): Promise<void>;
  /** End the connection (DELETE for Streamable HTTP, kill the process group for stdio). Idempotent. */
  close(): Promise<void>;
  onmessage?: (message: JSONRPCMessage) => void;
  /** `reason` is an `UpstreamError` (`UPSTREAM_CLOSED`...) when the upstream ended the connection. */
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;
  /** The stdio child's pid, for process hygiene checks and metrics. */
  readonly pid?: number | undefined;
  /** The upstream's own session id (Streamable HTTP). */
  readonly sessionId?: string | undefined;
}
