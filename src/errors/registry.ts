/**
 * The one error registry. Every error the gateway returns has a stable code, an HTTP status
 * and — for MCP — a JSON-RPC code. `toHttp` and `toJsonRpc` in ./respond.ts are the only mappers.
 * docs/errors.md lists every code; a test fails when one is missing there.
 */
export const ERRORS = {
  // request entry (plain text: answered before a route is known)
  BAD_HOST: { status: 400, rpc: -32600, message: 'invalid Host header' },
  BAD_REQUEST_TARGET: { status: 400, rpc: -32600, message: 'invalid request target' },
  HEADER_TIMEOUT: { status: 408, rpc: -32600, message: 'request header timeout' },
  BODY_TIMEOUT: { status: 408, rpc: -32600, message: 'request body timeout' },
  SHUTTING_DOWN: { status: 503, rpc: -32603, message: 'gateway shutting down' },
  // routing (plain text, like agentgateway)
  LISTENER_NOT_FOUND: { status: 404, rpc: -32600, message: 'listener not found' },
  ROUTE_NOT_FOUND: { status: 404, rpc: -32600, message: 'route not found' },
  NO_BACKEND: { status: 500, rpc: -32603, message: 'no valid backends' },
  // authentication / authorization
  AUTHN_FAILED: { status: 401, rpc: -32001, message: 'authentication failed' },
  AUTHZ_FAILED: { status: 403, rpc: -32003, message: 'authorization failed' },
  CSRF_FAILED: { status: 403, rpc: -32003, message: 'CSRF validation failed' },
  DNS_REBINDING: {
    status: 403,
    rpc: -32003,
    message: 'MCP DNS rebinding protection: Host/Origin not allowed',
  },
  SESSION_IDENTITY_MISMATCH: { status: 403, rpc: -32003, message: 'session belongs to another identity' },
  AUTH_BUSY: { status: 503, rpc: -32603, message: 'authentication busy' },
  EXTAUTHZ_DENIED: { status: 403, rpc: -32003, message: 'external authorization failed' },
  RATE_LIMITED: { status: 429, rpc: -32029, message: 'rate limit exceeded' },
  RATE_LIMIT_UNAVAILABLE: { status: 503, rpc: -32029, message: 'rate limit store unavailable' },
  RATE_LIMIT_FAILED: { status: 500, rpc: -32603, message: 'rate limit failed' },
  REQUEST_TIMEOUT: { status: 504, rpc: -32001, message: 'request timeout' },
  // MCP transport
  NOT_ACCEPTABLE: { status: 406, rpc: -32600, message: 'Not Acceptable' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, rpc: -32600, message: 'Unsupported Media Type' },
  PAYLOAD_TOO_LARGE: { status: 413, rpc: -32600, message: 'request body too large' },
  PARSE_ERROR: { status: 400, rpc: -32700, message: 'Parse error' },
  INVALID_REQUEST: { status: 400, rpc: -32600, message: 'Invalid Request' },
  BATCH_NOT_SUPPORTED: { status: 400, rpc: -32600, message: 'JSON-RPC batches are not supported' },
  SESSION_REQUIRED: { status: 400, rpc: -32600, message: 'Mcp-Session-Id header is required' },
  SESSION_NOT_FOUND: { status: 404, rpc: -32001, message: 'Session not found' },
  METHOD_NOT_ALLOWED: { status: 405, rpc: -32600, message: 'Method Not Allowed' },
  // -32022 is the 2026-07-28 UnsupportedProtocolVersionError code; legacy revisions define none.
  UNSUPPORTED_PROTOCOL_VERSION: { status: 400, rpc: -32022, message: 'Unsupported protocol version' },
  // 2026-07-28: Mcp-Method / Mcp-Name / MCP-Protocol-Version headers missing or not matching the body.
  HEADER_MISMATCH: { status: 400, rpc: -32020, message: 'Header mismatch' },
  SESSION_ALREADY_INITIALIZED: { status: 400, rpc: -32600, message: 'Session already initialized' },
  // MCP resource limits (config.limits): -32000 is JSON-RPC's implementation-defined server error.
  SESSION_LIMIT: { status: 503, rpc: -32000, message: 'session limit reached' },
  SESSION_STORE_UNAVAILABLE: { status: 503, rpc: -32000, message: 'session store unavailable' },
  IDENTITY_SESSION_LIMIT: { status: 429, rpc: -32000, message: 'session limit for this caller reached' },
  STDIO_CHILD_LIMIT: { status: 503, rpc: -32000, message: 'stdio process limit reached' },
  PENDING_LIMIT: { status: 429, rpc: -32000, message: 'too many requests in flight' },
  // MCP semantics
  METHOD_NOT_FOUND: { status: 200, rpc: -32601, message: 'Method not found' },
  UNKNOWN_ITEM: { status: 200, rpc: -32602, message: 'Unknown item' },
  INVALID_PARAMS: { status: 200, rpc: -32602, message: 'Invalid params' },
  UPSTREAM_FAILED: { status: 502, rpc: -32603, message: 'upstream failed' },
  // transformations.response.body on an MCP route produced something that does not answer the request.
  TRANSFORMATION_INVALID: {
    status: 502,
    rpc: -32603,
    message: 'response transformation produced an invalid JSON-RPC response',
  },
  // Typed upstream failures (src/errors/upstream.ts), raised by every transport; the client sees
  // `target "x" failed: <detail>`, health and metrics read the code.
  UPSTREAM_CONNECT_REFUSED: { status: 502, rpc: -32603, message: 'connection refused' },
  UPSTREAM_UNREACHABLE: { status: 502, rpc: -32603, message: 'host unreachable' },
  UPSTREAM_RESET: { status: 502, rpc: -32603, message: 'connection reset' },
  UPSTREAM_TIMEOUT: { status: 504, rpc: -32603, message: 'upstream timed out' },
  UPSTREAM_TLS: { status: 502, rpc: -32603, message: 'TLS error' },
  UPSTREAM_HTTP_STATUS: { status: 502, rpc: -32603, message: 'HTTP error status' },
  UPSTREAM_PROTOCOL: { status: 502, rpc: -32603, message: 'protocol error' },
  UPSTREAM_CLOSED: { status: 502, rpc: -32603, message: 'connection closed' },
  UPSTREAM_SPAWN_FAILED: { status: 502, rpc: -32603, message: 'cannot start' },
  UPSTREAM_NETWORK: { status: 502, rpc: -32603, message: 'network error' },
  INTERNAL: { status: 500, rpc: -32603, message: 'internal error' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** An error that crosses the wire. `message` is safe to show a client: never a stack or a secret. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly rpcCode: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON-RPC `error.data` (client-safe), e.g. `{supported, requested}` for an unsupported version. */
  readonly data: unknown;
  constructor(
    code: ErrorCode,
    message?: string,
    opts: { status?: number; headers?: Record<string, string>; cause?: unknown; data?: unknown } = {},
  ) {
    const def = ERRORS[code];
    super(message ?? def.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = opts.status ?? def.status;
    this.rpcCode = def.rpc;
    this.headers = opts.headers ?? {};
    this.data = opts.data;
  }
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}
