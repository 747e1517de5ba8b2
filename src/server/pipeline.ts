/**
 * The fixed policy phase order. Config cannot reorder it: the order of keys in YAML is
 * irrelevant. Each constraint carries its "why". docs/architecture.md draws the same sequence.
 */
import type { Logger } from 'pino';
import { GatewayError, isGatewayError } from '../errors/registry.js';
import { sendHttpError, sendJsonRpcError } from '../errors/respond.js';
import type { McpService } from '../mcp/backend.js';
import { describeRule } from '../policies/authorization/rule-ref.js';
import { writeRateLimitHeaders } from '../policies/rate-limit/index.js';
import type { RuntimeRoute } from '../runtime/snapshot.js';
import { upstreamHeadersFrom } from './header-hygiene.js';
import type { HttpProxy } from './http-proxy.js';
import type { MutableRequestContext } from './request-context.js';
import { NO_TRACE } from '../contracts/request-context.js';
import { authenticateCredential } from './pipeline-credentials.js';
import { backendOrigin } from './http-proxy.js';
import { forwardWithTraffic } from './traffic-forward.js';
import { bufferRequestBody } from './buffer-body.js';
import { pause } from '../net/pause.js';
import { NO_TRAFFIC_TELEMETRY, type UpstreamGrant } from '../policies/types.js';

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
  // 3a. apiKey / basicAuth beside jwtAuth, for the same reason: they set the identity that
  //     authorization, rate limits and sessions key on.
  const verified = [];
  for (const auth of [p.basicAuth, p.apiKey]) {
    if (auth && (await authenticateCredential(ctx, auth, p.traffic))) verified.push(auth);
  }
  if (ctx.identity) ctx.log['jwt.sub'] = ctx.identity.sub;

  // 3b. extAuthz after authentication (the service sees the verified identity and its claims) and
  //     before HTTP authorization and rate limits (a request the service refuses consumes no bucket).
  //     With includeRequestBody the body is read here, after authentication (a refused caller's body is
  //     never read), bounded by config.limits.bufferedBodyBytes.
  const grants: UpstreamGrant[] = [];
  const bodyLimit = p.bufferedBodyBytes ?? 2 * 1024 * 1024;
  if (p.extAuthz) {
    const extAuthz = p.extAuthz;
    if (extAuthz.readsBody) await bufferRequestBody(ctx, bodyLimit);
    const g = await trace.child('ext_authz', () => extAuthz.authorize(ctx, isMcp));
    if (!g) return;
    grants.push(g);
  }

  // 4. HTTP authorization after authentication (its rules read `jwt`) and before the rate limit
  //    (a forbidden caller must not drain the bucket of allowed ones).
  if (p.authorization) {
    const authz = p.authorization;
    const d = trace.child('authorization', () =>
      authz.check({ identity: ctx.identity, request: ctx.request, source: ctx.source }),
    );
    ctx.log['authz.decision'] = d.allowed ? 'allow' : 'deny';
    if (d.rule) ctx.log['authz.rule'] = describeRule(d.rule);
    if (!d.allowed) throw new GatewayError('AUTHZ_FAILED');
  }

  // 5. Rate limit after authentication and authorization: keyed per verified identity.
  if (p.localRateLimit) {
    const taken = p.localRateLimit.take(ctx);
    const r = taken instanceof Promise ? await taken : taken;
    if (r?.unavailable) throw new GatewayError('RATE_LIMIT_UNAVAILABLE');
    if (r) writeRateLimitHeaders(ctx.res, r);
    if (r && !r.allowed) throw new GatewayError('RATE_LIMITED');
  }

  // 5b. The remote rate limit after the local one: the free local check refuses first, without a
  //     network round trip, and a locally refused request does not count at the shared service.
  if (p.remoteRateLimit) {
    const g = await p.remoteRateLimit.check(ctx);
    if (g) grants.push(g);
  }

  // 6. Request headers for upstreams: hygiene first (hop-by-hop, Host, session id, and the caller's
  //    token once jwtAuth verified it), then the route's requestHeaderModifier. A host backend gets the
  //    client's body bytes unchanged, so their Content-Encoding must go with them.
  ctx.upstreamHeaders = upstreamHeadersFrom(ctx.req, {
    stripAuthorization: hadJwtPolicy && ctx.identity !== null,
    forwardsBody: route.backend?.kind === 'host',
  });
  // A verified apiKey/basicAuth credential is for the gateway (like a verified JWT); what the services
  // and the modifier add afterwards (even an `authorization` for the upstream) is kept.
  for (const auth of verified) auth.removeCredential(ctx);
  for (const g of grants) g.applyTo(ctx.upstreamHeaders);
  p.requestHeaderModifier?.applyTo(ctx.upstreamHeaders);
  ctx.backendRequestTimeoutMs = p.timeout?.backendRequestTimeoutMs;

  // 6b. Transformations after the header modifiers (their CEL sees the final request) and around the
  //     backend call: response headers on whatever head is written, bodies in traffic-forward.ts.
  //     On an MCP route the body (the JSON-RPC message) is read here for a body transformation or a
  //     mirror copy: after authorization and rate limits, so a refused request is never buffered.
  if (isMcp && (p.requestMirror || p.transformations?.requestBody)) await bufferRequestBody(ctx, bodyLimit);
  if (p.transformations) {
    p.transformations.applyRequestHeaders(ctx);
    p.transformations.installResponseHeaders(ctx);
    if (isMcp && ctx.body && p.transformations.requestBody) {
      ctx.body = p.transformations.requestBody(ctx, ctx.body);
    }
    const mcpResponse = isMcp ? p.transformations.mcpResponseBody : undefined;
    if (mcpResponse) ctx.transformMcpResponse = (m) => mcpResponse(ctx, m);
  }

  // 7a. A redirect replaces the backend, like a direct response (both are answers of the route itself).
  if (p.requestRedirect) {
    p.requestRedirect.respond(ctx);
    return;
  }

  // 7-. `delay` (fault injection) after every check, so a refused request is not held, and before the
  //     direct response and the backend, as agentgateway orders it; the route's requestTimeout still fires.
  const delayMs = p.delay?.delayMs(ctx) ?? 0;
  if (delayMs > 0) {
    await pause(delayMs, ctx.signal);
    if (ctx.signal.aborted) return;
  }

  // 7. A direct response replaces the backend.
  if (p.directResponse?.respond(ctx)) return;

  // 7b. urlRewrite last before the backend: everything above saw the path the client sent.
  p.urlRewrite?.apply(ctx);

  // 8. The backend (weighted choice among the route's backends; an MCP session stays on the backend that
  //    owns it). MCP authorization happens inside, per tool/prompt/resource.
  const backend = route.pickBackend(
    route.backends.length > 1 && isMcp ? deps.mcp.sessionBackend(ctx) : undefined,
  );
  if (!backend) throw new GatewayError('NO_BACKEND');
  if (backend.kind === 'mcp') {
    // The copy carries the (transformed) JSON-RPC message read above; GET and DELETE have no body.
    p.requestMirror?.mirror(ctx, ctx.body);
    await deps.mcp.handle(ctx, backend.mcp);
    return;
  }
  // A body read by a policy phase (ctx.body) can no longer be streamed from the socket.
  if (
    p.retry ||
    p.requestMirror ||
    p.transformations?.requestBody ||
    p.transformations?.responseBody ||
    ctx.body
  ) {
    await forwardWithTraffic(ctx, p, {
      dispatcher: deps.proxy.dispatcher(p.backendTls),
      origin: backendOrigin(backend.host, p.backendTls),
      auth: p.backendAuth,
      bodyLimit,
      telemetry: p.traffic ?? NO_TRAFFIC_TELEMETRY,
    });
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
    // An aborted request (client gone, body or request timeout, shutdown) fails by design.
    if (!ctx.signal.aborted)
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
  // MCP routes answer other failures (extAuthz, 429, 504, 5xx) as JSON-RPC so SDK clients surface them.
  const plain =
    !isMcp ||
    (isGatewayError(e) &&
      (e.code === 'AUTHN_FAILED' || e.code === 'AUTHZ_FAILED' || e.code === 'CSRF_FAILED'));
  if (plain) sendHttpError(ctx.res, e);
  else sendJsonRpcError(ctx.res, e, null);
}
