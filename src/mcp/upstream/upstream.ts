import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { NormalizedTarget } from '../../config/types.js';
import type { UpstreamTls } from '../../contracts/upstream-tls.js';

export type { UpstreamTls };

/** Per-call options. `headers` go on HTTP upstream requests (backendAuth, traceparent, forwarded headers). */
export interface UpstreamSendOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/**
 * One connection to one upstream MCP server, whatever the transport (upstreams don't know about
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
  /** Stop reading that stream (the client's stream moved to another replica), keeping the connection. */
  closeEventStream?(): void;
  /**
   * End the connection (DELETE for Streamable HTTP, kill the process group for stdio). Idempotent.
   * `keepSession`: an HTTP upstream's session is left open for another replica to resume (no DELETE).
   */
  close(opts?: { readonly keepSession?: boolean }): Promise<void>;
  /**
   * Continue an upstream session that another replica (or an earlier process) started: the upstream's
   * session id and the protocol version negotiated with it, without a new `initialize` (Streamable HTTP).
   */
  resume?(sessionId: string, protocolVersion: string | undefined): void;
  /** A resumed session the upstream no longer knows (it answered 404): the client must re-initialize. */
  readonly sessionLost?: boolean;
  onmessage?: (message: JSONRPCMessage) => void;
  /** `reason` is an `UpstreamError` (`UPSTREAM_CLOSED`...) when the upstream ended the connection. */
  onclose?: (reason?: Error) => void;
  onerror?: (error: Error) => void;
  /** The stdio child's pid, for process hygiene checks and metrics. */
  readonly pid?: number | undefined;
  /** The upstream's own session id (Streamable HTTP). */
  readonly sessionId?: string | undefined;
}

/** Creates upstream connections; owns the keep-alive pools so unchanged targets reuse them across reloads. */
export interface UpstreamFactory {
  create(
    target: NormalizedTarget,
    opts: { readonly logger: Logger; readonly tls?: UpstreamTls | undefined },
  ): Upstream;
  close(): Promise<void>;
}
