import { GatewayError } from '../../errors/registry.js';
import { sendJsonRpcError } from '../../errors/respond.js';
import type { RequestContext } from '../../contracts/request-context.js';
import type { McpEnv } from '../service-context.js';
import { callerKey } from '../session/identity-binding.js';
import { answer, buildCall, linkedAbort, record } from '../routing/execute.js';
import { prefersEventStream, writeEmpty } from '../protocol/http-io.js';
import type {
  ClientMessage,
  JSONRPCRequest,
  JSONRPCResponseMessage,
  JsonObject,
  RpcOutcome,
} from '../protocol/messages.js';
import { isObject, metaOf, paramsOf } from '../protocol/messages.js';
import { LISTS } from '../routing/list-merge.js';
import type { ModernRequestMeta } from './stateless-headers.js';
import { logFilter, validateModern } from './stateless-headers.js';
import { listen } from './stateless-listen.js';
import { PostResponder } from './post-responder.js';
import { META, SUPPORTED_VERSIONS, isModernVersion } from '../protocol/revisions.js';
import type { CallScope } from '../connection/target-connection.js';
import type { RuntimeMcpBackend } from '../backend.js';

/** What a 2026-07-28 client can call through the gateway (ping is gone from the revision but harmless). */
const ROUTABLE = new Set([
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'completion/complete',
  'ping',
]);

/** True when a POSTed message is of the stateless 2026-07-28 era (and not a legacy `initialize`). */
export function isModernMessage(ctx: RequestContext, message: ClientMessage): boolean {
  if (message.kind === 'response') return false;
  if (message.msg.method === 'initialize') return false;
  const v = ctx.req.headers['mcp-protocol-version'];
  if (typeof v === 'string' && isModernVersion(v)) return true;
  const meta = metaOf(paramsOf(message.msg));
  return meta !== undefined && META.protocolVersion in meta;
}

/**
 * A 2026-07-28 request: validated, then served statelessly through the backend's shared upstream
 * connections (the gateway initialized them itself). No session is created or read; Mcp-Session-Id is
 * ignored. Closing the response stream cancels the request.
 */
export async function modernPost(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  message: ClientMessage,
  env: McpEnv,
): Promise<void> {
  if (message.kind === 'notification') {
    // No client→server notifications exist over HTTP in this revision (closing a stream cancels).
    writeEmpty(ctx.res, 202);
    return;
  }
  if (message.kind === 'response')
    throw new GatewayError('INVALID_REQUEST', 'Invalid Request: clients must not send responses');
  const req = message.msg;
  let meta: ModernRequestMeta;
  try {
    meta = validateModern(ctx, req);
    if (
      req.method !== 'server/discover' &&
      req.method !== 'subscriptions/listen' &&
      !ROUTABLE.has(req.method)
    ) {
      throw new GatewayError('METHOD_NOT_FOUND', `Method not found: ${req.method}`, { status: 404 });
    }
  } catch (e) {
    // Protocol errors of this revision carry the request's id (HeaderMismatch, UnsupportedProtocolVersion…).
    ctx.log['mcp.method'] = req.method;
    ctx.log.error ??= (e as Error).message;
    sendJsonRpcError(ctx.res, e, req.id);
    return;
  }
  const pool = env.pool(backend);
  if (req.method === 'subscriptions/listen') return listen(ctx, backend, req, pool, env);
  const responder = new PostResponder(
    ctx.res,
    {},
    prefersEventStream(ctx.req),
    env.streamBound(),
    ctx.transformMcpResponse,
  );
  const abort = linkedAbort(ctx.signal);
  ctx.res.once('close', () => abort.abort());
  const scope: CallScope = {
    sink: (m) => responder.interim(m),
    signal: abort.signal,
    wantsLog: logFilter(meta.logLevel),
  };
  const call = buildCall(ctx, backend, env, req.method, scope);
  const reply = await answer(req.id, call, env, async (): Promise<RpcOutcome> => {
    if (req.method === 'server/discover') return { result: discoverResult(await pool.describe(call)) };
    const done = env.limits.admitStateless(callerKey(ctx.identity, ctx.source.address));
    try {
      return await pool.mux.request(req, call);
    } finally {
      done();
    }
  });
  record(call, env, req.method, undefined);
  if (reply) responder.final(decorate(req, reply, env.version), call.info.status);
  else responder.abandon();
}

function discoverResult(merged: JsonObject): JsonObject {
  const out: JsonObject = {
    supportedVersions: [...SUPPORTED_VERSIONS],
    capabilities: merged.capabilities ?? {},
    serverInfo: merged.serverInfo ?? { name: 'portcullis' },
  };
  if (typeof merged.instructions === 'string') out.instructions = merged.instructions;
  // Lists are filtered per caller, so nothing here may be cached by shared intermediaries.
  out.ttlMs = 0;
  out.cacheScope = 'private';
  return out;
}

/** 2026-07-28 results: `resultType`, the gateway's serverInfo in `_meta`, cache hints on lists. */
function decorate(
  req: JSONRPCRequest,
  reply: JSONRPCResponseMessage,
  version: string,
): JSONRPCResponseMessage {
  if (!('result' in reply) || !isObject(reply.result)) return reply;
  const result: JsonObject = { ...reply.result };
  result.resultType ??= 'complete';
  const meta = isObject(result._meta) ? result._meta : {};
  result._meta = { ...meta, [META.serverInfo]: { name: 'portcullis', version } };
  if (LISTS[req.method] || req.method === 'resources/read') {
    result.ttlMs ??= 0;
    result.cacheScope ??= 'private';
  }
  return { ...reply, result } as JSONRPCResponseMessage;
}
