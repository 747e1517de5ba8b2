import { isGatewayError } from '../../errors/registry.js';
import { asGatewayError } from '../../errors/respond.js';
import type { RequestContext } from '../../contracts/request-context.js';
import { ItemGate } from '../authz/item-filter.js';
import type { McpCall } from './call.js';
import { upstreamHeaders } from './call.js';
import type { McpEnv } from '../service-context.js';
import type { JSONRPCResponseMessage, RequestId, RpcOutcome } from '../protocol/messages.js';
import { errorMessage, errorObject, outcomeMessage } from '../protocol/messages.js';
import type { CallScope } from '../connection/target-connection.js';
import { CallCancelled } from '../connection/target-connection.js';
import type { RuntimeMcpBackend } from '../backend.js';

const LIMIT_CODES: ReadonlySet<string> = new Set(['STDIO_CHILD_LIMIT', 'PENDING_LIMIT']);

export function buildCall(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  env: McpEnv,
  method: string,
  scope: CallScope | undefined,
): McpCall {
  return {
    ctx,
    backend,
    gate: new ItemGate(ctx, backend.authorizer, backend.toolFilters, method),
    scope,
    headers: upstreamHeaders(ctx, backend),
    info: {},
    telemetry: env.telemetry,
  };
}

/**
 * Runs one client request to its JSON-RPC answer: errors become JSON-RPC errors (never a stack trace),
 * a cancelled request gets no answer (undefined).
 */
export async function answer(
  id: RequestId,
  call: McpCall,
  env: McpEnv,
  run: () => Promise<RpcOutcome>,
): Promise<JSONRPCResponseMessage | undefined> {
  try {
    return outcomeMessage(id, await run());
  } catch (e) {
    if (e instanceof CallCancelled) return undefined;
    if (!isGatewayError(e))
      env.logger.error({ err: e, method: call.gate.subject.mcpMethod }, 'MCP request failed');
    const g = asGatewayError(e);
    call.ctx.log.error ??= g.message;
    // A timed-out upstream call is a gateway timeout (504) when the answer is still plain JSON; other
    // failures of a request that was read are answered in-band.
    // A request refused by a limit keeps its status (429 / 503) for the same reason.
    // So does a resumed session whose upstream forgot it (404: the client re-initializes).
    if (g.code === 'REQUEST_TIMEOUT' || g.code === 'SESSION_NOT_FOUND' || LIMIT_CODES.has(g.code))
      call.info.status = g.status;
    return errorMessage(id, errorObject(g));
  }
}

/** Access-log fields and the telemetry hook, once per MCP message. */
export function record(call: McpCall, env: McpEnv, method: string, sessionId: string | undefined): void {
  const log = call.ctx.log;
  log['mcp.method'] = method;
  if (sessionId) log['mcp.session'] = sessionId;
  const i = call.info;
  if (i.target) log['mcp.target'] = i.target;
  if (i.resourceType) log['mcp.resource.type'] = i.resourceType;
  if (i.resource) log['mcp.resource.name'] = i.resource;
  env.telemetry.mcpRequest({
    method,
    target: i.target,
    resourceType: i.resourceType,
    resource: i.resource,
    decision: i.decision,
  });
}

/**
 * An AbortController whose `signal` also follows `parent` (ctx.signal: route timeout, client gone):
 * `abort()` is the request's own cancellation. One listener on the parent instead of `AbortSignal.any`,
 * which costs a composite signal with weak-reference bookkeeping per request; the parent is the request's
 * own signal and lives no longer than this controller, so the listener needs no removal.
 */
export function linkedAbort(parent: AbortSignal): AbortController {
  const controller = new AbortController();
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', () => controller.abort(parent.reason), { once: true });
  return controller;
}
