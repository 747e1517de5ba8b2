import { GatewayError } from '../../errors/registry.js';
import { sendJsonRpcError } from '../../errors/respond.js';
import type { RequestContext } from '../../contracts/request-context.js';
import type { McpEnv } from '../service-context.js';
import { callerKey } from '../session/identity-binding.js';
import { answer, buildCall, linkedAbort, record } from '../routing/execute.js';
import { upstreamHeaders } from '../routing/call.js';
import {
  SSE_TYPE,
  methodNotAllowed,
  prefersEventStream,
  requireAccept,
  writeEmpty,
} from '../protocol/http-io.js';
import type { ClientMessage, JSONRPCRequest } from '../protocol/messages.js';
import { PostResponder } from './post-responder.js';
import { SseStream } from '../protocol/sse-stream.js';
import {
  SUPPORTED_VERSIONS,
  isLegacyVersion,
  isModernVersion,
  negotiateLegacy,
} from '../protocol/revisions.js';
import type { Session } from '../session/session.js';
import type { CallScope } from '../connection/target-connection.js';
import type { RuntimeMcpBackend } from '../backend.js';

const SESSION_HEADER = 'mcp-session-id';

/** Streamable HTTP, legacy era (2024-11-05 … 2025-11-25): POST for one parsed message. */
export async function streamablePost(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  message: ClientMessage,
  env: McpEnv,
): Promise<void> {
  checkVersionHeader(ctx);
  if (backend.statefulMode === 'stateless') return statelessPost(ctx, backend, message, env);
  const sessionId = header(ctx, SESSION_HEADER);
  const isInit = message.kind === 'request' && message.msg.method === 'initialize';
  if (sessionId === undefined) {
    if (!isInit) throw new GatewayError('SESSION_REQUIRED');
    return initialize(ctx, backend, message.msg as JSONRPCRequest, env);
  }
  const session = await lookup(ctx, backend, env, sessionId);
  if (isInit) throw new GatewayError('SESSION_ALREADY_INITIALIZED');
  session.touch();
  if (message.kind === 'request') return sessionRequest(ctx, backend, session, message.msg, env);
  const call = buildCall(
    ctx,
    backend,
    env,
    message.kind === 'notification' ? message.msg.method : 'response',
    undefined,
  );
  if (message.kind === 'notification') await session.notify(message.msg, call);
  else await session.respond(message.msg, call);
  record(call, env, message.kind === 'notification' ? message.msg.method : 'response', session.id);
  writeEmpty(ctx.res, 202);
}

/** GET: the session's server→client stream (messages buffered while none was open; Last-Event-ID replays). */
export async function streamableGet(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  env: McpEnv,
): Promise<void> {
  const version = header(ctx, 'mcp-protocol-version');
  if (backend.statefulMode === 'stateless' || (version !== undefined && isModernVersion(version))) {
    throw methodNotAllowed(['POST']);
  }
  requireAccept(ctx.req, [SSE_TYPE]);
  checkVersionHeader(ctx);
  const sessionId = header(ctx, SESSION_HEADER);
  if (sessionId === undefined) throw new GatewayError('SESSION_REQUIRED');
  const session = await lookup(ctx, backend, env, sessionId);
  session.touch();
  ctx.log['mcp.session'] = session.id;
  ctx.log['mcp.method'] = 'GET';
  const stream = new SseStream(ctx.res, { [SESSION_HEADER]: session.id }, env.streamBound());
  session.attachStream(stream, header(ctx, 'last-event-id'), upstreamHeaders(ctx, backend));
  await new Promise<void>((resolve) => stream.onClose(resolve));
}

/** DELETE: ends the session; its upstream connections close (Streamable HTTP DELETE, stdio killed). */
export async function streamableDelete(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  env: McpEnv,
): Promise<void> {
  if (backend.statefulMode === 'stateless') throw methodNotAllowed(['POST']);
  const sessionId = header(ctx, SESSION_HEADER);
  if (sessionId === undefined) throw new GatewayError('SESSION_REQUIRED');
  const session = await lookup(ctx, backend, env, sessionId);
  ctx.log['mcp.session'] = session.id;
  ctx.log['mcp.method'] = 'DELETE';
  await env.sessions.end(session, 'session deleted by the client');
  writeEmpty(ctx.res, 204);
}

export function streamableAllow(backend: RuntimeMcpBackend): string[] {
  return backend.statefulMode === 'stateless' ? ['POST'] : ['GET', 'POST', 'DELETE'];
}

async function initialize(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  req: JSONRPCRequest,
  env: McpEnv,
): Promise<void> {
  let session: Session;
  try {
    session = env.sessions.create(backend, 'streamable', ctx.identity, ctx.source.address);
  } catch (e) {
    // A session cap: 503 / 429 with Retry-After and a JSON-RPC error answering this initialize.
    ctx.log['mcp.method'] = 'initialize';
    ctx.log.error ??= (e as Error).message;
    sendJsonRpcError(ctx.res, e, req.id);
    return;
  }
  const responder = new PostResponder(
    ctx.res,
    {},
    prefersEventStream(ctx.req),
    env.streamBound(),
    ctx.transformMcpResponse,
  );
  const abort = linkedAbort(ctx.signal);
  const call = buildCall(ctx, backend, env, 'initialize', scopeFor(responder, abort.signal));
  const reply = await answer(req.id, call, env, () => session.initialize(req, call));
  // The id the client gets (and every log line of the session shows) is the sealed state.
  if (reply && !('error' in reply)) env.sessions.publish(session);
  record(call, env, 'initialize', session.id);
  if (!reply || 'error' in reply) {
    await session.close('initialize failed');
    if (reply) responder.final(reply, call.info.status);
    return;
  }
  responder.setHeader(SESSION_HEADER, session.id);
  session.touch();
  responder.final(reply, call.info.status);
}

async function sessionRequest(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  session: Session,
  req: JSONRPCRequest,
  env: McpEnv,
): Promise<void> {
  const responder = new PostResponder(
    ctx.res,
    { [SESSION_HEADER]: session.id },
    prefersEventStream(ctx.req),
    env.streamBound(),
    ctx.transformMcpResponse,
  );
  // 2025 revisions: a dropped POST stream is not a cancellation, but nobody would read the answer either;
  // ctx.signal (route timeout, client gone) and notifications/cancelled both cancel upstream.
  const abort = linkedAbort(ctx.signal);
  const call = buildCall(ctx, backend, env, req.method, scopeFor(responder, abort.signal));
  const reply = await answer(req.id, call, env, () => session.request(req, call, abort));
  record(call, env, req.method, session.id);
  if (reply) responder.final(reply, call.info.status);
  else responder.abandon();
}

/**
 * `statefulMode: stateless`: no sessions; every POST is served through the backend's shared upstream
 * connections. initialize is answered from them; notifications and responses are accepted and dropped.
 */
async function statelessPost(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  message: ClientMessage,
  env: McpEnv,
): Promise<void> {
  if (message.kind !== 'request') {
    writeEmpty(ctx.res, 202);
    return;
  }
  const req = message.msg;
  const pool = env.pool(backend);
  const responder = new PostResponder(
    ctx.res,
    {},
    prefersEventStream(ctx.req),
    env.streamBound(),
    ctx.transformMcpResponse,
  );
  const abort = linkedAbort(ctx.signal);
  const call = buildCall(ctx, backend, env, req.method, scopeFor(responder, abort.signal));
  const reply = await answer(req.id, call, env, async () => {
    if (req.method !== 'initialize') {
      const done = env.limits.admitStateless(callerKey(ctx.identity, ctx.source.address));
      try {
        return await pool.mux.request(req, call);
      } finally {
        done();
      }
    }
    const merged = await pool.describe(call);
    const requested = negotiateLegacy(
      (req.params as { protocolVersion?: unknown } | undefined)?.protocolVersion,
    );
    const upstream = typeof merged.protocolVersion === 'string' ? merged.protocolVersion : requested;
    return { result: { ...merged, protocolVersion: upstream < requested ? upstream : requested } };
  });
  record(call, env, req.method, undefined);
  if (reply) responder.final(reply, call.info.status);
  else responder.abandon();
}

function scopeFor(responder: PostResponder, signal: AbortSignal): CallScope {
  return { sink: (m) => responder.interim(m), signal, wantsLog: () => true };
}

/** The session an id names: held here (a Map hit), or sealed elsewhere and resumed here (session-store.ts). */
async function lookup(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  env: McpEnv,
  id: string,
): Promise<Session> {
  const session =
    env.sessions.get(id, backend.key) ??
    (await env.sessions.resume(id, backend, ctx.identity, ctx.source.address, upstreamHeaders(ctx, backend)));
  if (!session) throw new GatewayError('SESSION_NOT_FOUND');
  session.checkIdentity(ctx.identity);
  return session;
}

/** MCP-Protocol-Version, when sent on a legacy-era request, must name a revision the gateway speaks. */
function checkVersionHeader(ctx: RequestContext): void {
  const v = header(ctx, 'mcp-protocol-version');
  if (v === undefined || isLegacyVersion(v)) return;
  throw new GatewayError('UNSUPPORTED_PROTOCOL_VERSION', `Unsupported protocol version: ${v}`, {
    data: { supported: [...SUPPORTED_VERSIONS], requested: v },
  });
}

export function header(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}
