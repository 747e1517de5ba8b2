/**
 * The fixed policy phase order (STYLE §3). Config cannot reorder it: the order of keys in YAML is
 * irrelevant. Each constraint carries its "why". docs/architecture.md draws the same sequence.
 */
import type { Logger } from 'pino';
import { GatewayError, isGatewayError } from '../errors/registry.js';
import { sendHttpError, sendJsonRpcError } from '../errors/respond.js';
import type { McpService } from '../mcp/types.js';
import { writeRateLimitHeaders } from '../policies/rate-limit/index.js';
import type { RuntimeRoute } from '../runtime/snapshot.js';
import { upstreamHeadersFrom } from './header-hygiene.js';
import type { HttpProxy } from './http-proxy.js';
import type { MutableRequestContext } from './request-context.js';
import { NO_TRACE } from './context.js';

export interface PipelineDeps {
  readonly mcp: McpService;
  readonly proxy: HttpProxy;
  readonly logger: Logger;
}

/** Runs every phase of `route` for one request. Never throws: every failure becomes a response. */
export async function runPipeline(
  ctx: MutableRequestContext,
  route: RuntimeRoute,
  deps: PipelineDeps,
): Promise<void> {
  const isMcp = route.backend?.kind === 'mcp';
  try {
    await phases(ctx, route, deps, isMcp);
  } catch (e) {
    fail(ctx, e, isMcp, deps.logger);
  }
}

async function phases(
  ctx: MutableRequestContext,
  route: RuntimeRoute,
  deps: PipelineDeps,
  isMcp: boolean,
): Promise<void> {
  const p = route.policies;
  const trace = ctx.trace ?? NO_TRACE;

  // 0. Response header modifiers are installed first, so they shape every response this route
  //    writes — error responses from later phases included.
  p.responseHeaderModifier?.applyToResponse(ctx.res);

  // 0b. The request deadline starts before any work, so slow authentication (remote JWKS) counts too.
  armTimeout(ctx, route, isMcp);

  // 1. CORS before authentication: a browser's preflight never carries credentials, so it must be
  //    answered before jwtAuth can reject it; and 401/403/429 responses must carry the CORS headers
  //    or the browser hides the reason from the page.
  if (p.cors?.handle(ctx, { mcpBackend: isMcp })) return;

  // 1b. CSRF right after CORS: preflights are already answered, and the 403 carries the CORS headers;
  //     before authentication, so a cross-site request is refused without touching credentials.
  if (p.csrf && !p.csrf.allows(ctx)) throw new GatewayError('CSRF_FAILED');

  // 2. RFC 9728 discovery documents are public: a client fetches them because it has no token yet.
  if (p.mcpAuthentication && (await p.mcpAuthentication.handleWellKnown(ctx))) return;

  // 3. Authentication before authorization and rate limiting: both key on the verified identity, and
  //    a rejected request must not consume an identity's rate limit.
  let hadJwtPolicy = false;
  if (p.jwtAuth) {
    hadJwtPolicy = true;
    const jwt = p.jwtAuth;
    ctx.identity = await trace.child('authentication', () => jwt.authenticate(ctx.req, ctx.log));
  }
  if (p.mcpAuthentication) {
    hadJwtPolicy = true;
    try {
      ctx.identity = (await p.mcpAuthentication.authenticator.authenticate(ctx.req, ctx.log)) ?? ctx.identity;
    } catch (e) {
      p.mcpAuthentication.challenge(ctx, e instanceof Error ? e.message : undefined);
      ctx.log['authn.reason'] = e instanceof Error ? e.message : 'rejected';
      return;
    }
  }
  if (ctx.identity) ctx.log['jwt.sub'] = ctx.identity.sub;

  // 4. HTTP authorization after authentication (its rules read `jwt`) and before the rate limit
  //    (a forbidden caller must not drain the bucket of allowed ones).
  if (p.authorization) {
    const authz = p.authorization;
    const d = trace.child('authorization', () =>
      authz.check({ identity: ctx.identity, request: ctx.request, source: ctx.source }),
    );
    ctx.log['authz.decision'] = d.allowed ? 'allow' : 'deny';
    if (d.rule) ctx.log['authz.rule'] = `#${d.rule.index}: ${d.rule.source}`;
    if (!d.allowed) throw new GatewayError('AUTHZ_FAILED');
  }

  // 5. Rate limit after authentication and authorization: keyed per verified identity.
  if (p.localRateLimit) {
    const r = p.localRateLimit.take(ctx);
    if (r) writeRateLimitHeaders(ctx.res, r);
    if (r && !r.allowed) throw new GatewayError('RATE_LIMITED');
  }

  // 6. Request headers for upstreams: hygiene first (hop-by-hop, Host, session id, and the caller's
  //    token once jwtAuth verified it), then the route's requestHeaderModifier. A host backend gets the
  //    client's body bytes unchanged, so their Content-Encoding must go with them.
  ctx.upstreamHeaders = upstreamHeadersFrom(ctx.req, {
    stripAuthorization: hadJwtPolicy && ctx.identity !== null,
    forwardsBody: route.backend?.kind === 'host',
  });
  p.requestHeaderModifier?.applyTo(ctx.upstreamHeaders);
  ctx.backendRequestTimeoutMs = p.timeout?.backendRequestTimeoutMs;

  // 7. A direct response replaces the backend.
  if (p.directResponse?.respond(ctx)) return;

  // 8. The backend. MCP authorization happens inside, per tool/prompt/resource.
  const backend = route.backend;
  if (!backend) throw new GatewayError('NO_BACKEND');
  if (backend.kind === 'mcp') {
    await deps.mcp.handle(ctx, backend.mcp);
    return;
  }
  await deps.proxy.forward(ctx, backend.host, route.policies.backendAuth, route.policies.backendTls);
}

function armTimeout(ctx: MutableRequestContext, route: RuntimeRoute, isMcp: boolean): void {
  const ms = route.policies.timeout?.requestTimeoutMs;
  if (!ms) return;
  // MCP server→client streams (Streamable HTTP GET, legacy SSE GET) live as long as the session: a
  // request deadline would cut every SSE client every `requestTimeout`. Idle sessions expire instead.
  if (isMcp && ctx.request.method === 'GET') return;
  const timer = setTimeout(() => {
    const err = new GatewayError('REQUEST_TIMEOUT');
    ctx.abort(err);
    if (!ctx.res.headersSent) {
      ctx.log.error = 'request timeout';
      if (isMcp) sendJsonRpcError(ctx.res, err, null);
      else sendHttpError(ctx.res, err);
    } else ctx.res.destroy();
  }, ms);
  timer.unref();
  ctx.res.once('close', () => clearTimeout(timer));
}

function fail(ctx: MutableRequestContext, e: unknown, isMcp: boolean, logger: Logger): void {
  if (!isGatewayError(e)) {
    logger.error({ err: e, route: ctx.log.route }, 'unhandled error in request pipeline');
  } else if (e.code === 'AUTHN_FAILED') {
    ctx.log['authn.reason'] = e.message;
  }
  ctx.log.error ??= isGatewayError(e) ? e.message : 'internal error';
  if (ctx.res.headersSent) {
    ctx.res.destroy();
    return;
  }
  // Authentication and HTTP authorization answers are plain text (agentgateway's shape, curl-friendly);
  // MCP routes answer other failures (429, 504, 5xx) as JSON-RPC so SDK clients surface the message.
  const plain =
    !isMcp ||
    (isGatewayError(e) &&
      (e.code === 'AUTHN_FAILED' || e.code === 'AUTHZ_FAILED' || e.code === 'CSRF_FAILED'));
  if (plain) sendHttpError(ctx.res, e);
  else sendJsonRpcError(ctx.res, e, null);
}
