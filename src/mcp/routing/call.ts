import type { GatewayError } from '../../errors/registry.js';
import type { RequestContext } from '../../contracts/request-context.js';
import type { ItemGate } from '../authz/item-filter.js';
import type { McpItemKind } from '../../contracts/authorization.js';
import type { NormalizedTarget } from '../../config/types.js';
import type { CallOptions, CallRetry, CallScope, TargetConn } from '../connection/target-connection.js';
import type { CompiledRetry } from '../../policies/types.js';
import type { RuntimeMcpBackend } from '../backend.js';
import type { McpTelemetry } from '../../telemetry/hooks.js';

/** What the telemetry hook and the access log learn about one MCP message while it is handled. */
export interface CallInfo {
  target?: string;
  resourceType?: McpItemKind | 'template';
  resource?: string;
  decision?: 'allow' | 'deny';
  /** HTTP status for an answer that is still plain JSON (504 when an upstream call timed out). */
  status?: number;
}

/** Everything the multiplexer needs to handle one client message. Built once per message. */
export interface McpCall {
  readonly ctx: RequestContext;
  readonly backend: RuntimeMcpBackend;
  readonly gate: ItemGate;
  readonly scope: CallScope | undefined;
  /** Headers for HTTP upstreams (computed once per message). */
  readonly headers: Readonly<Record<string, string>>;
  readonly info: CallInfo;
  readonly telemetry?: McpTelemetry;
}

/** One target of a backend and, when it is connected, its connection. */
export interface Slot {
  readonly target: NormalizedTarget;
  readonly conn: TargetConn | undefined;
  /** Why there is no usable connection (start or initialize failed under failOpen). */
  readonly failure: string | undefined;
  /** Set when the target was refused by a process limit (answered as that error, not as a failure). */
  readonly limit?: GatewayError | undefined;
}

/** Headers the gateway never forwards: its own MCP transport headers and the client's session. */
const NOT_FORWARDED: ReadonlySet<string> = new Set([
  'mcp-session-id',
  'mcp-protocol-version',
  'mcp-method',
  'mcp-name',
  'last-event-id',
  'accept',
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
]);

/** ctx.upstreamHeaders (already hygienic) + backendAuth for this identity + traceparent. */
export function upstreamHeaders(ctx: RequestContext, backend: RuntimeMcpBackend): Record<string, string> {
  const h: Record<string, string> = {};
  const from = ctx.upstreamHeaders;
  for (const k in from) if (!NOT_FORWARDED.has(k)) h[k] = from[k]!;
  if (backend.backendAuth) Object.assign(h, backend.backendAuth.headersFor(ctx.identity));
  if (ctx.traceparent) h.traceparent = ctx.traceparent;
  return h;
}

export function callOptions(call: McpCall, withScope = true): CallOptions {
  return {
    headers: call.headers,
    timeoutMs: call.ctx.backendRequestTimeoutMs,
    scope: withScope ? call.scope : undefined,
    traceparent: call.ctx.traceparent,
    trace: call.ctx.trace,
    ...(call.backend.retry ? { retry: retryFor(call, call.backend.retry) } : {}),
  };
}

function retryFor(call: McpCall, r: CompiledRetry): CallRetry {
  return {
    attemptsFor: (method) => r.attemptsForMcp(call.ctx, method),
    backoffMs: r.backoffMs,
    retryableStatus: (s) => r.retryableStatus(s),
  };
}
