import { GatewayError } from '../../errors/registry.js';
import type { RequestContext } from '../../contracts/request-context.js';
import type { McpEnv } from '../service-context.js';
import { answer, buildCall, record } from '../routing/execute.js';
import { writeEmpty } from '../protocol/http-io.js';
import type { ClientMessage, JSONRPCMessage } from '../protocol/messages.js';
import type { Session } from '../session/session.js';
import { SseStream } from '../protocol/sse-stream.js';
import type { CallScope } from '../connection/target-connection.js';
import type { RuntimeMcpBackend } from '../backend.js';

/**
 * The deprecated HTTP+SSE transport (2024-11-05): `GET …/sse` opens the session's stream, whose first event
 * names the message endpoint (the same path, keeping any route prefix, plus `sessionId`); POSTs there are
 * acknowledged with 202 and answered on the stream. Closing the stream ends the session.
 */
export async function legacySseGet(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  env: McpEnv,
): Promise<void> {
  // A session cap answers 503 / 429 with Retry-After and a JSON-RPC error (no stream is opened).
  const session = env.sessions.create(backend, 'sse', ctx.identity, ctx.source.address);
  const stream = new SseStream(ctx.res, {}, env.streamBound());
  const query = new URLSearchParams(ctx.url.search);
  query.set('sessionId', session.id);
  stream.event('endpoint', `${ctx.url.pathname}?${query.toString()}`);
  session.attachStream(stream);
  ctx.log['mcp.session'] = session.id;
  ctx.log['mcp.method'] = 'GET';
  await new Promise<void>((resolve) => stream.onClose(resolve));
  await session.close('SSE stream closed');
}

export async function legacySsePost(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  message: ClientMessage,
  env: McpEnv,
): Promise<void> {
  const session = legacySession(ctx, backend, env);
  session.touch();
  // Answered on the stream; the POST only acknowledges. The work is therefore not tied to this request's
  // lifetime (ctx.signal), only to the session.
  writeEmpty(ctx.res, 202);
  try {
    await handle(ctx, backend, session, message, env);
  } catch (e) {
    // Nothing can be answered on the finished POST; requests already got their error on the stream.
    env.logger.warn({ session: session.id, err: (e as Error).message }, 'legacy SSE message failed');
  }
}

export function legacySession(ctx: RequestContext, backend: RuntimeMcpBackend, env: McpEnv): Session {
  const id = ctx.url.searchParams.get('sessionId');
  if (!id)
    throw new GatewayError('INVALID_REQUEST', 'Invalid Request: sessionId query parameter is required');
  const session = env.sessions.get(id, backend.key);
  if (!session || session.transport !== 'sse') throw new GatewayError('SESSION_NOT_FOUND');
  session.checkIdentity(ctx.identity);
  return session;
}

async function handle(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  session: Session,
  message: ClientMessage,
  env: McpEnv,
): Promise<void> {
  if (message.kind !== 'request') {
    const method = message.kind === 'notification' ? message.msg.method : 'response';
    const call = buildCall(ctx, backend, env, method, undefined);
    if (message.kind === 'notification') await session.notify(message.msg, call);
    else await session.respond(message.msg, call);
    record(call, env, method, session.id);
    return;
  }
  const req = message.msg;
  const abort = new AbortController();
  const scope: CallScope = {
    sink: (m: JSONRPCMessage) => {
      session.emit(m);
      return true;
    },
    signal: abort.signal,
    wantsLog: () => true,
  };
  const call = buildCall(ctx, backend, env, req.method, scope);
  const reply = await answer(req.id, call, env, () =>
    req.method === 'initialize' ? session.initialize(req, call) : session.request(req, call, abort),
  );
  record(call, env, req.method, session.id);
  if (reply) session.emit(reply);
}
