import type { IncomingMessage, ServerResponse } from 'node:http';

/** Verified identity from jwtAuth / mcpAuthentication. */
export interface Identity {
  /** Verified claims as JSON (what logs and `/api/explain` show). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Claims converted once for CEL (integer JSON numbers → bigint). */
  readonly celClaims: Readonly<Record<string, unknown>>;
  readonly sub: string | undefined;
  readonly issuer: string;
  /** The original bearer token: only for backendAuth passthrough. Never logged. */
  readonly rawToken: string;
  /** How the caller was verified; absent = a JWT (jwtAuth / mcpAuthentication). */
  readonly scheme?: 'jwt' | 'apiKey' | 'basicAuth';
  /** CEL `apiKey`: the matched key's metadata (and `key`, redacted) when the apiKey policy verified one. */
  readonly apiKey?: Readonly<Record<string, unknown>>;
  /** CEL `basicAuth`: `{username}` when the basicAuth policy verified the caller. */
  readonly basicAuth?: { readonly username: string };
}

/** The access-log record of one request; filled in as the request travels (telemetry/log.ts writes it). */
export interface AccessLogFields {
  listener?: string;
  route?: string;
  'http.method'?: string;
  'http.path'?: string;
  'http.host'?: string;
  'http.status'?: number;
  'src.addr'?: string;
  'jwt.sub'?: string;
  'mcp.method'?: string;
  'mcp.target'?: string;
  'mcp.resource.type'?: string;
  'mcp.resource.name'?: string;
  'mcp.session'?: string;
  'authz.decision'?: 'allow' | 'deny';
  'authz.rule'?: string;
  'authn.reason'?: string;
  /** extAuthz: `allow`, `deny`, `error-allow` / `error-deny` (service unreachable, per failureMode). */
  'extauthz.decision'?: 'allow' | 'deny' | 'error-allow' | 'error-deny';
  /** extAuthz `cache`: `hit` when the decision came from the cache. */
  'extauthz.cache'?: 'hit';
  /** remoteRateLimit: `ok`, `over-limit`, `error-allow` / `error-deny`. */
  'ratelimit.remote'?: 'ok' | 'over-limit' | 'error-allow' | 'error-deny';
  /** tcpRoutes: the backend `host:port`, the TLS SNI, and bytes relayed each way. */
  'tcp.upstream'?: string;
  'tls.sni'?: string;
  'tcp.bytes.up'?: number;
  'tcp.bytes.down'?: number;
  /** retry: the attempt that produced the response (1 = no retry). */
  'retry.attempt'?: number;
  error?: string;
  'trace.id'?: string;
}

/** What the CEL `request` variable sees. */
export interface RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly host: string;
  readonly scheme: 'http' | 'https';
  /** lower-case name → value (multi-valued joined with ", "). */
  readonly headers: Readonly<Record<string, string>>;
  /** The path with its query string, as received (CEL `request.pathAndQuery`). */
  readonly pathAndQuery?: string;
  /** `HTTP/1.1`, `HTTP/2.0` (CEL `request.version`). */
  readonly version?: string;
  /** When the request arrived, RFC 3339 (CEL `request.startTime`). */
  readonly startTime?: string;
  /** The local end of the connection (CEL `destination.*`). */
  readonly destination?: { readonly address: string; readonly port: number };
}

/** The tracing seam on a request: child spans for phases and upstream calls (no-op when tracing is off). */
export interface TraceScope {
  /**
   * Run `fn` in a child span of the request span named `name`; `fn` receives the child's W3C
   * `traceparent` (undefined when tracing is off) to propagate to an upstream.
   */
  child<T>(name: string, fn: (traceparent: string | undefined) => T, kind?: 'internal' | 'client'): T;
}

export const NO_TRACE: TraceScope = { child: (_name, fn) => fn(undefined) };

/**
 * Typed per-request context (no stringly-typed bags). Created by the listener, filled by the
 * policy phases, read by the MCP handler.
 */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly request: RequestInfo;
  readonly source: { readonly address: string; readonly port: number };
  readonly startedAt: number;
  /** Set by jwtAuth / mcpAuthentication after verification; null when no (valid) token was presented. */
  identity: Identity | null;
  /** Headers to send to HTTP upstreams after hygiene and requestHeaderModifier (lower-case names). */
  upstreamHeaders: Record<string, string>;
  /** Aborted when the route's requestTimeout fires or the client goes away. */
  readonly signal: AbortSignal;
  /** Per-upstream-call timeout from the `timeout.backendRequestTimeout` policy (ms), if any. */
  backendRequestTimeoutMs: number | undefined;
  readonly log: AccessLogFields;
  /** W3C traceparent for the current span, to propagate upstream (undefined when tracing is off). */
  traceparent: string | undefined;
  /** Child spans for authentication, authorization and each upstream call (absent: tracing off). */
  trace?: TraceScope;
  /**
   * The request body when a policy phase had to read it (extAuthz `includeRequestBody`, requestMirror
   * or a request body transformation on an MCP route; src/server/pipeline.ts): the backend takes it
   * from here instead of the socket, which has been read to its end.
   */
  body?: Buffer;
  /**
   * A response body transformation on an MCP route (src/policies/transformations/): the MCP transport
   * passes the JSON-RPC response to a POSTed request through it before writing it.
   */
  transformMcpResponse?: (message: object) => unknown;
}
