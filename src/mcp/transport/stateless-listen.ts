import type { RequestContext } from '../../contracts/request-context.js';
import type { McpEnv } from '../service-context.js';
import { buildCall, record } from '../routing/execute.js';
import type { JSONRPCMessage, JSONRPCRequest, JsonObject } from '../protocol/messages.js';
import { isObject, paramsOf } from '../protocol/messages.js';
import { META } from '../protocol/revisions.js';
import { SseStream } from '../protocol/sse-stream.js';
import type { StatelessPool } from '../session/shared-connections.js';
import type { RuntimeMcpBackend } from '../backend.js';

/** Filter field → the list_changed notification it opts into. */
const FILTERS: Readonly<Record<string, string>> = {
  toolsListChanged: 'notifications/tools/list_changed',
  promptsListChanged: 'notifications/prompts/list_changed',
  resourcesListChanged: 'notifications/resources/list_changed',
};

/**
 * `subscriptions/listen` (2026-07-28): an SSE stream carrying the list_changed notifications the client
 * opted into, from the backend's shared upstream connections. `resourceSubscriptions` is not honoured
 * (left out of the acknowledgement, as the revision allows).
 */
export async function listen(
  ctx: RequestContext,
  backend: RuntimeMcpBackend,
  req: JSONRPCRequest,
  pool: StatelessPool,
  env: McpEnv,
): Promise<void> {
  const call = buildCall(ctx, backend, env, req.method, undefined);
  record(call, env, req.method, undefined);
  await pool.ready(call);
  const requested = paramsOf(req).notifications;
  const ack: JsonObject = {};
  const wanted = new Set<string>();
  for (const [field, method] of Object.entries(FILTERS)) {
    if (isObject(requested) && requested[field] === true) {
      ack[field] = true;
      wanted.add(method);
    }
  }
  const tag = { [META.subscriptionId]: req.id };
  const stream = new SseStream(ctx.res, {}, env.streamBound());
  stream.send({
    jsonrpc: '2.0',
    method: 'notifications/subscriptions/acknowledged',
    params: { _meta: tag, notifications: ack },
  } as JSONRPCMessage);
  const unsubscribe = pool.subscribe({
    message: (m) => {
      const mm = m as { method?: unknown; params?: unknown };
      if (typeof mm.method !== 'string' || !wanted.has(mm.method)) return;
      const params = isObject(mm.params) ? mm.params : {};
      const meta = isObject(params._meta) ? params._meta : {};
      stream.send({ ...m, params: { ...params, _meta: { ...meta, ...tag } } } as JSONRPCMessage);
    },
    closed: () => stream.end(),
  });
  await new Promise<void>((resolve) => stream.onClose(resolve));
  unsubscribe();
}
