import type { TrafficTelemetry } from '../contracts/traffic-telemetry.js';
/**
 * Compiled policy contracts. Each policy folder exports a factory `compileX(config, ctx: BuildContext, at)`
 * that validates and precomputes at config load and returns one of these. The request pipeline
 * (src/server/pipeline.ts) calls them in the fixed phase order; policies never see transports.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthzSubject, Decision, McpAuthorizer } from '../contracts/authorization.js';
import type { UpstreamTls } from '../contracts/upstream-tls.js';
import type { AccessLogFields, Identity, RequestContext } from '../contracts/request-context.js';

/** Phase 1 — CORS. */
export interface CompiledCors {
  /**
   * If this is a preflight (OPTIONS + Access-Control-Request-Method), write the complete response and
   * return true. Otherwise set the CORS response headers for this origin on `ctx.res` (so that every
   * response, errors included, carries them) and return false.
   */
  handle(ctx: RequestContext, opts: { mcpBackend: boolean }): boolean;
}

/**
 * What an authenticator reads from a request; `IncomingMessage` (ctx.req) satisfies it. Pass `rawHeaders`:
 * node keeps only the first `Authorization` header in `headers` and drops the others silently, so a
 * duplicated header (which must be refused) is only visible in the raw list.
 */
export interface AuthnRequest {
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders?: readonly string[];
}

/** Phase 1b — csrf: false = refuse with 403 `CSRF validation failed`. */
export interface CompiledCsrf {
  allows(ctx: RequestContext): boolean;
}

/** Phase 2 — authentication (jwtAuth; mcpAuthentication wraps one). */
export interface CompiledAuthenticator {
  /**
   * Returns the verified identity, or null when no token was presented (optional/permissive mode) or an
   * invalid one in permissive mode. Throws a GatewayError (401 + WWW-Authenticate) on rejection.
   * Must be constant in behaviour for bad tokens (no timing or message differences beyond the reason).
   * When `log` is given, sets `authn.reason` on refusal (also in permissive mode) and `jwt.sub` on success.
   * Pass the request (`ctx.req`): bare headers are still accepted, but then duplicates go unseen.
   */
  authenticate(req: AuthnRequest | IncomingHttpHeaders, log?: AccessLogFields): Promise<Identity | null>;
  /** Release timers (remote JWKS refresh) when the config is replaced. */
  close(): void;
}

/** mcpAuthentication (RFC 9728): an authenticator plus the well-known endpoints and the 401 challenge. */
export interface CompiledMcpAuthentication {
  readonly authenticator: CompiledAuthenticator;
  /** Serve `/.well-known/oauth-protected-resource*` etc.; returns true when it answered. */
  handleWellKnown(ctx: RequestContext): Promise<boolean>;
  /** The 401 for a request without a verified identity (JSON body + `WWW-Authenticate: Bearer resource_metadata=…`). */
  challenge(ctx: RequestContext, reason?: string): void;
  close(): void;
}

/** Phase 3 — HTTP-level `authorization` (CEL over request/jwt/source). */
export interface CompiledHttpAuthorization {
  check(subject: Omit<AuthzSubject, 'mcpMethod'>): Decision;
}

/** Phase 4 — localRateLimit. */
export interface RateLimitResult {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until a token is available again. */
  readonly resetSeconds: number;
  /** The shared (Redis) buckets could not be asked and the failure mode is `closed`. */
  readonly unavailable?: boolean;
}
export interface CompiledRateLimit {
  /**
   * Synchronous for buckets of this process; a promise when the buckets live in Redis. undefined: no
   * bucket applies to this request (a conditional localRateLimit matched nothing).
   */
  take(ctx: RequestContext): RateLimitResult | undefined | Promise<RateLimitResult | undefined>;
}

/** Phase 5 — header modifiers (request: on ctx.upstreamHeaders; response: on ctx.res before writeHead). */
export interface CompiledHeaderModifier {
  applyTo(headers: Record<string, string>): void;
  applyToResponse(res: RequestContext['res']): void;
}

/** timeout policy. */
export interface CompiledTimeout {
  readonly requestTimeoutMs: number | undefined;
  readonly backendRequestTimeoutMs: number | undefined;
}

/** directResponse policy. */
export interface CompiledDirectResponse {
  /** False when a conditional directResponse had no matching entry: the backend answers instead. */
  respond(ctx: RequestContext): boolean;
}

/** delay: how long to hold this request before the backend (0 = not at all). */
export interface CompiledDelay {
  delayMs(ctx: RequestContext): number;
}

/** backendAuth: headers to add on every HTTP call to mcp/sse/openapi targets. */
export interface CompiledBackendAuth {
  headersFor(identity: Identity | null): Record<string, string>;
  /** The header names `headersFor` may set (lower case): a target's own backendAuth removes them. */
  readonly headerNames: readonly string[];
  /** False when the credential is the caller's (passthrough): it needs the request's identity. */
  readonly fixed: boolean;
}

/**
 * backendTLS, compiled: `tls.connect` options for HTTPS calls to the route's upstreams, and a key equal
 * for equal settings and file contents (connection pools are keyed by it). One shape with the upstream
 * layer's `UpstreamTls`, which is what the pools take.
 */
export type CompiledBackendTls = UpstreamTls;
export type BackendTlsConnect = UpstreamTls['connect'];

/**
 * apiKey / basicAuth (phase 3, beside jwtAuth). `authenticate` returns true when it verified a credential
 * (and set `ctx.identity`), false when the request passes unauthenticated (optional/permissive mode);
 * throws GatewayError AUTHN_FAILED (401, with the challenge) or AUTH_BUSY on refusal.
 */
export interface CompiledCredentialAuth {
  readonly name: 'apiKey' | 'basicAuth';
  authenticate(ctx: RequestContext): Promise<boolean>;
  /** Take the verified credential off the upstream request (after header hygiene). */
  removeCredential(ctx: RequestContext): void;
}

/** What an allowed extAuthz / remoteRateLimit check changes on the way upstream (applied after header hygiene). */
export interface UpstreamGrant {
  applyTo(upstreamHeaders: Record<string, string>): void;
}

/**
 * extAuthz (phase 3b). Returns the grant when the request may continue (allowed, or the service failed
 * and `failureMode` is `allow`), or `undefined` when it already answered the client (a denial with the
 * service's own status, headers and body, or a redirect). Throws EXTAUTHZ_DENIED when the service
 * failed and `failureMode` denies. Sets `extauthz.decision` in the access log.
 */
export interface CompiledExtAuthz {
  /** `includeRequestBody`: the pipeline reads the request body into ctx.body before `authorize`. */
  readonly readsBody: boolean;
  /** `jsonRpc`: the route is an MCP route, so a denial is written as a JSON-RPC error. */
  authorize(ctx: RequestContext, jsonRpc: boolean): Promise<UpstreamGrant | undefined>;
  /** One line for `explain`. */
  describe(): string;
  close(): void;
}

/**
 * remoteRateLimit (phase 5b): throws RATE_LIMITED (429) or RATE_LIMIT_FAILED (500); sets the response
 * headers; returns the service's `request_headers_to_add` as a grant.
 */
export interface CompiledRemoteRateLimit {
  check(ctx: RequestContext): Promise<UpstreamGrant | undefined>;
  describe(): string;
  close(): void;
}

/** requestRedirect (phase 7a): writes the redirect. */
export interface CompiledRedirect {
  respond(ctx: RequestContext): void;
}

/** urlRewrite (phase 7b): rewrites ctx.url (path) and the upstream Host for the backend call. */
export interface CompiledUrlRewrite {
  apply(ctx: RequestContext): void;
}

/** transformations (phase 6b request side, phase 8 response side). */
export interface CompiledTransformations {
  /** Header changes on ctx.upstreamHeaders. */
  applyRequestHeaders(ctx: RequestContext): void;
  /** A replacement request body, computed from the buffered one (undefined: body unchanged). */
  readonly requestBody: ((ctx: RequestContext, body: Buffer) => Buffer) | undefined;
  /** Wrap ctx.res.writeHead so the response header changes apply to whatever head is written. */
  installResponseHeaders(ctx: RequestContext): void;
  readonly responseBody:
    | ((ctx: RequestContext, status: number, body: Buffer, contentType: string | undefined) => Buffer)
    | undefined;
  /**
   * MCP routes: the JSON-RPC response to a POSTed request, transformed; always a valid response to the
   * same id (an invalid result becomes a TRANSFORMATION_INVALID error).
   */
  readonly mcpResponseBody: ((ctx: RequestContext, message: object) => unknown) | undefined;
}

/** retry: decides per request whether and how often to retry the host backend call. */
export interface CompiledRetry {
  /** Attempts allowed for this request (1 = no retry): 1 for non-idempotent MCP calls unless configured. */
  attemptsFor(ctx: RequestContext, body: Buffer | undefined): number;
  /** The same for one MCP request to an upstream of an `mcp` backend, by its method. */
  attemptsForMcp(ctx: RequestContext, method: string): number;
  retryableStatus(status: number): boolean;
  readonly backoffMs: number;
}

/** requestMirror: fire-and-forget copy of the request to a second backend (bounded). */
export interface CompiledMirror {
  /** Called with the buffered request body (or undefined when none was buffered). Never throws. */
  mirror(ctx: RequestContext, body: Buffer | undefined): void;
  close(): void;
}

/** All compiled policies of one route. Absent = policy not configured (its phase is skipped). */
export interface CompiledRoutePolicies {
  readonly cors?: CompiledCors;
  readonly csrf?: CompiledCsrf;
  readonly jwtAuth?: CompiledAuthenticator;
  readonly mcpAuthentication?: CompiledMcpAuthentication;
  readonly authorization?: CompiledHttpAuthorization;
  readonly mcpAuthorization?: McpAuthorizer;
  readonly localRateLimit?: CompiledRateLimit;
  readonly requestHeaderModifier?: CompiledHeaderModifier;
  readonly responseHeaderModifier?: CompiledHeaderModifier;
  readonly timeout?: CompiledTimeout;
  readonly directResponse?: CompiledDirectResponse;
  readonly delay?: CompiledDelay;
  readonly backendAuth?: CompiledBackendAuth;
  readonly backendTls?: CompiledBackendTls;
  readonly apiKey?: CompiledCredentialAuth;
  readonly basicAuth?: CompiledCredentialAuth;
  readonly extAuthz?: CompiledExtAuthz;
  readonly remoteRateLimit?: CompiledRemoteRateLimit;
  readonly requestRedirect?: CompiledRedirect;
  readonly urlRewrite?: CompiledUrlRewrite;
  readonly transformations?: CompiledTransformations;
  readonly retry?: CompiledRetry;
  readonly requestMirror?: CompiledMirror;
  /** Body bytes buffered for retry / requestMirror / body transformations (config.limits). */
  readonly bufferedBodyBytes?: number;
  /** Counters for the traffic policies (no-op when the gateway has no metrics). */
  readonly traffic?: TrafficTelemetry;
}

export { NO_TRAFFIC_TELEMETRY } from '../contracts/traffic-telemetry.js';
export type { TrafficTelemetry } from '../contracts/traffic-telemetry.js';
