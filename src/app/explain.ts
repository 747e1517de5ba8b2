/**
 * "What can this identity do?" — for every MCP route, connect to each target, list its tools, prompts
 * and resources, and ask the route's authorizer about each one for the identity behind a token.
 * Used by `portcullis explain` and `GET /api/explain`.
 */
import type { Logger } from 'pino';
import type { ExplainItem, ExplainOptions, ExplainResult } from '../admin/api.js';
import type { NormalizedTarget } from '../config/types.js';
import type { McpItemKind } from '../contracts/authorization.js';
import { LATEST_LEGACY_VERSION } from '../mcp/protocol/revisions.js';
import { TargetConn, targetFailed, type ConnEvents } from '../mcp/connection/target-connection.js';
import type { RuntimeMcpBackend, UpstreamFactory } from '../mcp/backend.js';
import { ruleRef } from '../policies/authorization/rule-ref.js';
import type { Snapshot } from '../runtime/snapshot.js';
import type { Identity, RequestInfo } from '../contracts/request-context.js';
import { NOOP_TELEMETRY } from '../telemetry/hooks.js';
import { VERSION } from './version.js';

const LIST_METHODS: readonly [McpItemKind, string, string, (x: Record<string, unknown>) => string][] = [
  ['tool', 'tools/list', 'tools', (x) => String(x.name)],
  ['prompt', 'prompts/list', 'prompts', (x) => String(x.name)],
  ['resource', 'resources/list', 'resources', (x) => String(x.uri)],
  ['resource', 'resources/templates/list', 'resourceTemplates', (x) => String(x.uriTemplate)],
];

/** Explain only lists: server→client messages are not relayed anywhere. */
const IGNORE: ConnEvents = { notification() {}, request() {} };
const METHOD_NOT_FOUND = -32601;

/**
 * Lists one target's items through the gateway's own connection code (`TargetConn` over the factory's
 * `Upstream`): the same handshake as a session, including the `server/discover` fallback for upstreams
 * that speak only 2026-07-28.
 */
async function listTarget(
  factory: UpstreamFactory,
  target: NormalizedTarget,
  logger: Logger,
  backend: RuntimeMcpBackend,
): Promise<{ kind: McpItemKind; name: string }[]> {
  const own = backend.targetPolicies.get(target.name);
  const up = factory.create(target, { logger, tls: own?.backendTls ?? backend.backendTls });
  const conn = new TargetConn(target, up, IGNORE, logger, NOOP_TELEMETRY);
  const clientInfo = { name: 'portcullis-explain', version: VERSION };
  try {
    await conn.start();
    const init = await conn.initialize(
      { protocolVersion: LATEST_LEGACY_VERSION, capabilities: {}, clientInfo },
      clientInfo,
    );
    if ('error' in init) throw targetFailed(target.name, init.error.message);
    await conn.notify('notifications/initialized', undefined);
    const caps = (conn.initResult?.capabilities ?? {}) as Record<string, unknown>;
    const out: { kind: McpItemKind; name: string }[] = [];
    for (const [kind, method, field, nameOf] of LIST_METHODS) {
      const cap = kind === 'tool' ? 'tools' : kind === 'prompt' ? 'prompts' : 'resources';
      if (!caps[cap]) continue;
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const r = await conn.call(method, cursor ? { cursor } : undefined);
        if ('error' in r) {
          if (r.error.code === METHOD_NOT_FOUND) break;
          throw targetFailed(target.name, r.error.message);
        }
        for (const item of (r.result[field] as Record<string, unknown>[] | undefined) ?? []) {
          out.push({ kind, name: nameOf(item) });
        }
        cursor = typeof r.result.nextCursor === 'string' ? r.result.nextCursor : undefined;
        if (!cursor) break;
      }
    }
    return out;
  } finally {
    await conn.close('explain done');
  }
}

export async function explain(
  snap: Snapshot,
  factory: UpstreamFactory,
  logger: Logger,
  token: string | undefined,
  opts: ExplainOptions = {},
): Promise<ExplainResult> {
  const items: ExplainItem[] = [];
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
    for (const target of backend.targets) {
      let listed: { kind: McpItemKind; name: string }[];
      try {
        listed = await listTarget(factory, target, logger, backend);
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
        const shown =
          it.kind === 'resource'
            ? backend.naming.uri(target.name, it.name)
            : backend.naming.name(target.name, it.name);
        if (opts.tool && opts.tool !== it.name && opts.tool !== shown) continue;
        const visible = it.kind !== 'tool' || backend.toolFilters.get(target.name)?.(it.name) !== false;
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
  const jwks = snap.jwks.flatMap((j) => {
    const error = j.unavailable();
    return error === undefined ? [] : [{ url: j.url, error }];
  });
  return {
    identity: { claims: identity?.claims ?? null, ...(identityError ? { error: identityError } : {}) },
    items,
    ...(external.length ? { external } : {}),
    ...(jwks.length ? { jwks } : {}),
    ...(targetErrors.length ? { targetErrors } : {}),
  };
}
