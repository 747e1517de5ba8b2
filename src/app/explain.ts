/**
 * "What can this identity do?" — for every MCP route, connect to each target, list its tools, prompts
 * and resources, and ask the route's authorizer about each one for the identity behind a token.
 * Used by `portcullis explain` and `GET /api/explain`.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { ExplainItem, ExplainOptions, ExplainResult } from '../admin/api.js';
import type { NormalizedTarget } from '../config/types.js';
import type { McpItemKind } from '../mcp/authorizer.js';
import { ToolFilters } from '../mcp/authz.js';
import type { UpstreamFactory } from '../mcp/types.js';
import type { Upstream, UpstreamTls } from '../mcp/upstream/types.js';
import { ruleRef } from '../policies/authorization/rule-ref.js';
import type { RuntimeRoute, Snapshot } from '../runtime/snapshot.js';
import type { Identity, RequestInfo } from '../server/context.js';

const LIST_METHODS: readonly [McpItemKind, string, string, (x: Record<string, unknown>) => string][] = [
  ['tool', 'tools/list', 'tools', (x) => String(x.name)],
  ['prompt', 'prompts/list', 'prompts', (x) => String(x.name)],
  ['resource', 'resources/list', 'resources', (x) => String(x.uri)],
  ['resource', 'resources/templates/list', 'resourceTemplates', (x) => String(x.uriTemplate)],
];

/** A tiny request/response client over an Upstream (explain only lists; no proxying here). */
async function withUpstream<T>(up: Upstream, timeoutMs: number, fn: (call: Call) => Promise<T>): Promise<T> {
  const pending = new Map<number, (m: JSONRPCMessage) => void>();
  let nextId = 1;
  let closedErr: Error | undefined;
  up.onmessage = (m) => {
    if ('id' in m && ('result' in m || 'error' in m)) pending.get(Number(m.id))?.(m);
  };
  up.onclose = (reason) => {
    closedErr = reason ?? new Error('closed');
    for (const r of pending.values())
      r({ jsonrpc: '2.0', id: 0, error: { code: -32603, message: closedErr.message } });
  };
  const call: Call = (method, params) =>
    new Promise((resolve, reject) => {
      if (closedErr) return reject(closedErr);
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${method} timed out`));
      }, timeoutMs);
      pending.set(id, (m) => {
        clearTimeout(timer);
        pending.delete(id);
        if ('error' in m) reject(new Error(m.error.message));
        else resolve(('result' in m ? m.result : {}) as Record<string, unknown>);
      });
      up.send({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }).catch(reject);
    });
  await up.start();
  try {
    return await fn(call);
  } finally {
    await up.close().catch(() => {});
  }
}

type Call = (method: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>;

async function listTarget(
  factory: UpstreamFactory,
  target: NormalizedTarget,
  logger: Logger,
  tls: UpstreamTls | undefined,
): Promise<{ kind: McpItemKind; name: string }[]> {
  const up = factory.create(target, { logger, tls });
  return withUpstream(up, target.requestTimeoutMs, async (call) => {
    const init = await call('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'portcullis-explain', version: '1' },
    });
    await up.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const caps = (init.capabilities ?? {}) as Record<string, unknown>;
    const out: { kind: McpItemKind; name: string }[] = [];
    for (const [kind, method, field, nameOf] of LIST_METHODS) {
      const cap = kind === 'tool' ? 'tools' : kind === 'prompt' ? 'prompts' : 'resources';
      if (!caps[cap]) continue;
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const r = await call(method, cursor ? { cursor } : undefined);
        for (const item of (r[field] as Record<string, unknown>[] | undefined) ?? []) {
          out.push({ kind, name: nameOf(item) });
        }
        cursor = typeof r.nextCursor === 'string' ? r.nextCursor : undefined;
        if (!cursor) break;
      }
    }
    return out;
  });
}

function exposedName(route: RuntimeRoute, target: string, kind: McpItemKind, name: string): string {
  const b = route.backend?.kind === 'mcp' ? route.backend.mcp.config : undefined;
  const prefixed = !!b && (b.targets.length > 1 || b.prefixMode === 'always');
  if (!prefixed) return name;
  return kind === 'resource' ? `${target}+${name}` : `${target}_${name}`;
}

export async function explain(
  snap: Snapshot,
  factory: UpstreamFactory,
  logger: Logger,
  token: string | undefined,
  opts: ExplainOptions = {},
): Promise<ExplainResult> {
  const items: ExplainItem[] = [];
  const filters = new ToolFilters();
  const targetErrors: {
    route: string;
    target: string;
    message: string;
    failureMode: 'failClosed' | 'failOpen';
    targets: number;
  }[] = [];
  const external: { route: string; line: string }[] = [];
  let identity: Identity | null = null;
  let identityError: string | undefined;
  const routes = snap.binds.flatMap((b) => b.listeners.flatMap((l) => l.routes));
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  for (const route of routes) {
    if (route.backend?.kind !== 'mcp') continue;
    if (opts.route && opts.route !== route.key) continue;
    for (const ext of [route.policies.extAuthz, route.policies.remoteRateLimit]) {
      if (ext) external.push({ route: route.key, line: ext.describe() });
    }
    const auth = route.policies.jwtAuth ?? route.policies.mcpAuthentication?.authenticator;
    let routeIdentity: Identity | null = null;
    if (auth && token) {
      try {
        routeIdentity = await auth.authenticate(headers);
      } catch (e) {
        identityError = e instanceof Error ? e.message : String(e);
      }
    }
    identity ??= routeIdentity;
    const request: RequestInfo = {
      method: 'POST',
      path: '/mcp',
      host: 'localhost',
      scheme: 'http',
      headers: {},
    };
    const backend = route.backend.mcp;
    for (const target of backend.config.targets) {
      let listed: { kind: McpItemKind; name: string }[];
      try {
        listed = await listTarget(factory, target, logger, backend.backendTls);
      } catch (e) {
        targetErrors.push({
          route: route.key,
          target: target.name,
          message: (e as Error).message,
          failureMode: backend.config.failureMode,
          targets: backend.config.targets.length,
        });
        continue;
      }
      for (const it of listed) {
        const shown = exposedName(route, target.name, it.kind, it.name);
        if (opts.tool && opts.tool !== it.name && opts.tool !== shown) continue;
        const visible = it.kind !== 'tool' || filters.for(target)(it.name);
        const d = !visible
          ? { allowed: false, rule: undefined, reason: 'hidden for everyone by the target tools filter' }
          : backend.authorizer.decide(
              { kind: it.kind, name: it.name, target: target.name },
              {
                identity: routeIdentity,
                request,
                source: { address: '127.0.0.1', port: 0 },
                mcpMethod:
                  it.kind === 'tool' ? 'tools/call' : it.kind === 'prompt' ? 'prompts/get' : 'resources/read',
              },
            );
        items.push({
          route: route.key,
          kind: it.kind,
          target: target.name,
          name: it.name,
          exposedName: shown,
          allowed: d.allowed,
          ...(d.rule
            ? {
                rule: {
                  index: d.rule.index,
                  ref: ruleRef(d.rule.index),
                  effect: d.rule.effect,
                  source: d.rule.source,
                },
              }
            : {}),
          reason: d.reason,
        });
      }
    }
  }
  return {
    identity: { claims: identity?.claims ?? null, ...(identityError ? { error: identityError } : {}) },
    items,
    ...(external.length ? { external } : {}),
    ...(targetErrors.length ? { targetErrors } : {}),
  };
}
