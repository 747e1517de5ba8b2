import { normalizeLimits } from '../config/normalize-limits.js';
import { isGatewayError } from '../errors/registry.js';
import { sendHttpError, sendJsonRpcError } from '../errors/respond.js';
import type { RequestContext } from '../contracts/request-context.js';
import { checkDnsRebinding } from './transport/dns-rebinding.js';
import type { McpEnv } from './service-context.js';
import { bodyLimit } from './service-context.js';
import {
  JSON_TYPE,
  SSE_TYPE,
  methodNotAllowed,
  readJsonBody,
  requireAccept,
  requireJsonBody,
} from './protocol/http-io.js';
import type { ClientMessage } from './protocol/messages.js';
import { classifyMessage } from './protocol/messages.js';
import { legacySseGet, legacySsePost } from './transport/legacy-sse.js';
import { isModernMessage, modernPost } from './transport/stateless.js';
import { McpLimits } from './session/limits.js';
import { SessionStore } from './session/session-store.js';
import { SessionKeyring } from './session/session-token.js';
import { StatelessPool } from './session/shared-connections.js';
import {
  streamableAllow,
  streamableDelete,
  streamableGet,
  streamablePost,
} from './transport/streamable-http.js';
import type { McpService, McpServiceDeps, RuntimeMcpBackend, SessionInfo } from './backend.js';
import { gatewayVersion } from './version.js';

/**
 * The MCP backend's entry point. Dispatch:
 *   DNS-rebinding check (when enabled) →
 *   GET on a path ending in `/sse`, or POST with `?sessionId=` there → legacy HTTP+SSE transport;
 *   anything else → Streamable HTTP, where a POST is either 2026-07-28 (stateless, per-request `_meta`)
 *   or legacy (sessions, or `statefulMode: stateless`).
 */
export function createMcpService(deps: McpServiceDeps): McpService {
  const version = gatewayVersion();
  const pools = new Map<string, StatelessPool>();
  const defaults = normalizeLimits(undefined);
  const limits = new McpLimits(deps.limits ?? (() => defaults), deps.telemetry);
  const sessionDeps = {
    logger: deps.logger,
    upstreams: deps.upstreams,
    telemetry: deps.telemetry,
    version,
    limits,
  };
  const env: McpEnv = {
    logger: deps.logger,
    telemetry: deps.telemetry,
    sessions: new SessionStore(sessionDeps, deps.sessionTtlMs, {
      keyring: deps.sessionKeyring ?? SessionKeyring.ephemeral(),
      shared: deps.sharedState,
    }),
    version,
    limits,
    streamBound: () => ({
      maxQueued: limits.values.streamBufferBytes,
      onSlow: () => deps.telemetry.slowClientDisconnected?.('mcp'),
    }),
    pool(backend: RuntimeMcpBackend): StatelessPool {
      let p = pools.get(backend.key);
      if (!p) {
        p = new StatelessPool(backend, sessionDeps);
        pools.set(backend.key, p);
      }
      return p;
    },
  };

  return {
    handle: async function mcpService(ctx: RequestContext, backend: RuntimeMcpBackend): Promise<void> {
      try {
        await dispatch(ctx, backend, env);
      } catch (e) {
        fail(ctx, e, env);
      }
    },
    sessionBackend(ctx: RequestContext): string | undefined {
      const h = ctx.req.headers['mcp-session-id'];
      const id = (Array.isArray(h) ? h[0] : h) ?? ctx.url.searchParams.get('sessionId') ?? undefined;
      if (id === undefined) return undefined;
      return env.sessions.backendOf(id) ?? env.sessions.sealedBackendOf(id);
    },
    sessions(): SessionInfo[] {
      return [...env.sessions.list(), ...[...pools.values()].map((p) => p.info())];
    },
    closeSession: (id: string) => env.sessions.close(id, 'closed from the admin API'),
    async retainBackends(keys: ReadonlySet<string>): Promise<void> {
      const gone = [...pools.entries()].filter(([k]) => !keys.has(k));
      for (const [k] of gone) pools.delete(k);
      await Promise.all([env.sessions.retain(keys), ...gone.map(([, p]) => p.close())]);
    },
    async shutdown(): Promise<void> {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all([env.sessions.closeAll(), ...all.map((p) => p.close())]);
    },
  };
}

async function dispatch(ctx: RequestContext, backend: RuntimeMcpBackend, env: McpEnv): Promise<void> {
  if (backend.dnsRebindingProtection) checkDnsRebinding(ctx.req);
  const method = ctx.req.method ?? 'GET';
  const legacySse = /\/sse\/?$/.test(ctx.url.pathname);
  if (legacySse) {
    if (method === 'GET') return legacySseGet(ctx, backend, env);
    if (method === 'POST') {
      const message = await readMessage(ctx, backend);
      return legacySsePost(ctx, backend, message, env);
    }
    throw methodNotAllowed(['GET', 'POST']);
  }
  if (method === 'POST') {
    requireAccept(ctx.req, [JSON_TYPE, SSE_TYPE]);
    const message = await readMessage(ctx, backend);
    if (isModernMessage(ctx, message)) return modernPost(ctx, backend, message, env);
    return streamablePost(ctx, backend, message, env);
  }
  if (method === 'GET') return streamableGet(ctx, backend, env);
  if (method === 'DELETE') return streamableDelete(ctx, backend, env);
  throw methodNotAllowed(streamableAllow(backend));
}

async function readMessage(ctx: RequestContext, backend: RuntimeMcpBackend): Promise<ClientMessage> {
  requireJsonBody(ctx.req);
  const body = await readJsonBody(ctx.req, bodyLimit(backend), ctx.body);
  return classifyMessage(body);
}

/** Transport-level failures: JSON-RPC error bodies with the error's status (id null); DNS rebinding is plain text. */
function fail(ctx: RequestContext, e: unknown, env: McpEnv): void {
  if (!isGatewayError(e)) env.logger.error({ err: e }, 'MCP transport failure');
  ctx.log.error ??= isGatewayError(e) ? e.message : 'internal error';
  if (isGatewayError(e) && e.code === 'DNS_REBINDING') sendHttpError(ctx.res, e);
  else sendJsonRpcError(ctx.res, e, null);
}
