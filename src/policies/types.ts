/**
 * Compiled policy contracts. Each policy folder exports a factory `compileX(config, ctx: BuildContext, at)`
 * that validates and precomputes at config load (STYLE §2) and returns one of these. The request pipeline
 * (src/server/pipeline.ts) calls them in the fixed phase order; policies never see transports.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthzSubject, Decision, McpAuthorizer } from '../mcp/authorizer.js';
import type { UpstreamTls } from '../mcp/upstream/types.js';
import type { AccessLogFields, Identity, RequestContext } from '../server/context.js';

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
}
export interface CompiledRateLimit {
  /** undefined: no bucket applies to this request (a conditional localRateLimit matched nothing). */
  take(ctx: RequestContext): RateLimitResult | undefined;
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

/** backendAuth: headers to add on every HTTP call to mcp/sse/openapi targets. */
export interface CompiledBackendAuth {
  headersFor(identity: Identity | null): Record<string, string>;
}

/**
 * backendTLS, compiled: `tls.connect` options for HTTPS calls to the route's upstreams, and a key equal
 * for equal settings and file contents (connection pools are keyed by it). One shape with the upstream
 * layer's `UpstreamTls`, which is what the pools take.
 */
export type CompiledBackendTls = UpstreamTls;
export type BackendTlsConnect = UpstreamTls['connect'];

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
  readonly backendAuth?: CompiledBackendAuth;
  readonly backendTls?: CompiledBackendTls;
}
