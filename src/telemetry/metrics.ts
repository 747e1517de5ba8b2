/**
 * Prometheus metrics (prom-client). One registry per gateway instance — never prom-client's global
 * default registry — so several gateways can live in one process (the test suite boots many).
 * Every label value is bounded (./label-bounds.ts): clients choose method and tool names, and
 * must not be able to create time series at will.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AccessLogFields } from '../contracts/request-context.js';
import type { McpLimitName, McpRequestEvent, McpTelemetry } from './hooks.js';
import { CappedLabel, ResourceLabels, UNKNOWN, httpMethodLabel, mcpMethodLabel } from './label-bounds.js';

export interface MetricsOptions {
  /** Gateway version for `portcullis_build_info`. */
  readonly version: string;
  /** Distinct resource names per target that were never seen in a list result (default 20), then `other`. */
  readonly unlistedResourceCap?: number;
  /** Distinct listed resource names kept per target (default 1000). */
  readonly listedResourceCap?: number;
  /** Distinct values of the listener, route and target labels (default 200 each), then `other`. */
  readonly nameCap?: number;
  /** Also export prom-client's process_* and nodejs_* metrics (default false: they install observers). */
  readonly processMetrics?: boolean;
}

export interface Metrics {
  readonly registry: Registry;
  /** One finished HTTP request, from its access-log record. */
  httpRequest(fields: AccessLogFields, seconds: number): void;
  jwksRefresh(ok: boolean): void;
  configReload(ok: boolean): void;
  /** A Redis operation that failed or could not be tried (docs/deploy.md). */
  redisError(op: string): void;
  redisUp(up: boolean): void;
  /** An admin API request refused before routing (src/admin/guard.ts), by reason. */
  adminRefused(reason: AdminRefusalReason): void;
  /** See McpTelemetry.resourcesListed: names that get their own `resource` label. */
  resourcesListed(target: string, type: McpRequestEvent['resourceType'], names: readonly string[]): void;
}

export type AdminRefusalReason = 'bad_request' | 'host' | 'cross_site' | 'token';

/** Latency buckets in seconds: sub-millisecond policy denials up to minute-long tool calls. */
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(opts: MetricsOptions): Metrics & McpTelemetry {
  const registry = new Registry();
  const registers = [registry];
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });

  const nameCap = opts.nameCap ?? 200;
  const listeners = new CappedLabel(nameCap);
  const routes = new CappedLabel(nameCap);
  const targets = new CappedLabel(nameCap);
  const resources = new ResourceLabels({
    listedCap: opts.listedResourceCap ?? 1000,
    unlistedCap: opts.unlistedResourceCap ?? 20,
  });

  const requests = new Counter({
    name: 'portcullis_requests_total',
    help: 'HTTP requests handled, by listener, route, method and status.',
    labelNames: ['listener', 'route', 'method', 'status'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: 'portcullis_request_duration_seconds',
    help: 'HTTP request duration in seconds, by route and status.',
    labelNames: ['route', 'status'] as const,
    buckets: BUCKETS,
    registers,
  });
  const mcpRequests = new Counter({
    name: 'portcullis_mcp_requests_total',
    help: 'MCP messages with a method, by method, target, resource type, resource and authorization decision.',
    labelNames: ['method', 'target', 'resource_type', 'resource', 'decision'] as const,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'portcullis_upstream_duration_seconds',
    help: 'Duration of calls to upstream MCP servers in seconds, by target.',
    labelNames: ['target'] as const,
    buckets: BUCKETS,
    registers,
  });
  const upstreamErrors = new Counter({
    name: 'portcullis_upstream_errors_total',
    help: 'Failed calls to upstream MCP servers, by target and error code (UPSTREAM_*, docs/errors.md).',
    labelNames: ['target', 'code'] as const,
    registers,
  });
  const sessions = new Gauge({
    name: 'portcullis_mcp_sessions_active',
    help: 'Open MCP client sessions.',
    registers,
  });
  const children = new Gauge({
    name: 'portcullis_stdio_children',
    help: 'Live stdio upstream processes, by target.',
    labelNames: ['target'] as const,
    registers,
  });
  const sessionCallers = new Gauge({
    name: 'portcullis_mcp_session_callers',
    help: 'Distinct callers (identities; source addresses for anonymous callers) holding MCP sessions.',
    registers,
  });
  const sessionsExpired = new Counter({
    name: 'portcullis_mcp_sessions_expired_total',
    help: 'MCP sessions closed after limits.sessionIdleTimeout without a stream or a request.',
    registers,
  });
  const sessionResumes = new Counter({
    name: 'portcullis_mcp_session_resume_total',
    help: 'Session ids this process did not hold, by result: resumed, or why not (invalid, expired, identity, backend, pinned, ended, unavailable, failed).',
    labelNames: ['result'] as const,
    registers,
  });
  const pending = new Gauge({
    name: 'portcullis_mcp_pending_requests',
    help: 'MCP requests in flight on sessions and stateless callers.',
    registers,
  });
  const limitRejections = new Counter({
    name: 'portcullis_mcp_limit_rejections_total',
    help: 'MCP requests refused by a config.limits bound, by limit (and target, for stdio processes).',
    labelNames: ['limit', 'target'] as const,
    registers,
  });
  const slowClients = new Counter({
    name: 'portcullis_slow_clients_disconnected_total',
    help: 'Client streams cut off because more than limits.streamBufferBytes were queued (mcp or proxy).',
    labelNames: ['stream'] as const,
    registers,
  });
  const jwks = new Counter({
    name: 'portcullis_jwks_refresh_total',
    help: 'JWKS fetches, by result (success or failure).',
    labelNames: ['result'] as const,
    registers,
  });
  const redisErrors = new Counter({
    name: 'portcullis_redis_errors_total',
    help: 'Redis operations (shared rate-limit buckets, ended sessions) that failed or were not tried because Redis was down.',
    labelNames: ['op'] as const,
    registers,
  });
  const redisUp = new Gauge({
    name: 'portcullis_redis_up',
    help: '1 while the Redis connection is ready (only when PORTCULLIS_REDIS_URL is set).',
    registers,
  });
  const jwksFetch = new Counter({
    name: 'portcullis_jwks_fetch_total',
    help: 'Remote JWKS fetches including the first one at start-up, by result (success or failure).',
    labelNames: ['result'] as const,
    registers,
  });
  const openApiSchemaFetches = new Counter({
    name: 'portcullis_openapi_schema_fetch_total',
    help: 'Fetches of OpenAPI schemas given as {url}, by result (success or failure).',
    labelNames: ['result'] as const,
    registers,
  });
  const reloads = new Counter({
    name: 'portcullis_config_reload_total',
    help: 'Config reloads, by result (success or failure).',
    labelNames: ['result'] as const,
    registers,
  });
  const adminRefusals = new Counter({
    name: 'portcullis_admin_refused_total',
    help: 'Admin API requests refused before routing, by reason (bad_request, host, cross_site, token).',
    labelNames: ['reason'] as const,
    registers,
  });
  const lastReload = new Gauge({
    name: 'portcullis_config_last_reload_success',
    help: '1 when the last config load or reload succeeded, 0 when it failed (the previous config is kept).',
    registers,
  });
  const buildInfo = new Gauge({
    name: 'portcullis_build_info',
    help: 'Always 1; labels carry the gateway and Node.js versions.',
    labelNames: ['version', 'node'] as const,
    registers,
  });

  // Zero-valued series exist from the start, so rate() and alerts work before the first event.
  for (const result of ['success', 'failure']) {
    jwks.inc({ result }, 0);
    jwksFetch.inc({ result }, 0);
    openApiSchemaFetches.inc({ result }, 0);
    reloads.inc({ result }, 0);
  }
  sessions.set(0);
  sessionCallers.set(0);
  pending.set(0);
  for (const limit of ['sessions', 'sessionsPerIdentity', 'pendingRequestsPerSession'] as const)
    limitRejections.inc({ limit, target: '' }, 0);
  for (const stream of ['mcp', 'proxy']) slowClients.inc({ stream }, 0);
  for (const result of ['resumed', 'invalid']) sessionResumes.inc({ result }, 0);
  lastReload.set(1); // a running gateway loaded its config
  buildInfo.set({ version: opts.version, node: process.versions.node }, 1);

  const childCounts = new Map<string, number>();
  let sessionCount = 0;
  let pendingCount = 0;

  return {
    registry,

    httpRequest(fields: AccessLogFields, seconds: number): void {
      const route = routes.label(fields.route);
      const status = fields['http.status'] === undefined ? UNKNOWN : String(fields['http.status']);
      requests.inc({
        listener: listeners.label(fields.listener),
        route,
        method: httpMethodLabel(fields['http.method']),
        status,
      });
      requestDuration.observe({ route, status }, seconds);
    },

    openApiSchemaFetch(result: 'success' | 'failure'): void {
      openApiSchemaFetches.inc({ result });
    },

    jwksRefresh(ok: boolean): void {
      jwks.inc({ result: ok ? 'success' : 'failure' });
      jwksFetch.inc({ result: ok ? 'success' : 'failure' });
    },
    adminRefused(reason: AdminRefusalReason): void {
      adminRefusals.inc({ reason });
    },

    redisError(op: string): void {
      redisErrors.inc({ op });
    },

    redisUp(up: boolean): void {
      redisUp.set(up ? 1 : 0);
    },

    configReload(ok: boolean): void {
      reloads.inc({ result: ok ? 'success' : 'failure' });
      lastReload.set(ok ? 1 : 0);
    },

    mcpRequest(e: McpRequestEvent): void {
      const target = targets.label(e.target);
      mcpRequests.inc({
        method: mcpMethodLabel(e.method),
        target,
        resource_type: e.resourceType ?? UNKNOWN,
        resource: e.resource === undefined ? UNKNOWN : resources.label(target, e.resource),
        decision: e.decision ?? UNKNOWN,
      });
    },

    resourcesListed(target: string, _type: McpRequestEvent['resourceType'], names: readonly string[]): void {
      resources.listed(targets.label(target), names);
    },

    upstreamCall(target: string, seconds: number, code: string | undefined): void {
      const label = targets.label(target);
      upstreamDuration.observe({ target: label }, seconds);
      if (code !== undefined) upstreamErrors.inc({ target: label, code: errorCodeLabel(code) });
    },

    sessionOpened(): void {
      sessions.set(++sessionCount);
    },

    sessionClosed(): void {
      sessionCount = Math.max(0, sessionCount - 1);
      sessions.set(sessionCount);
    },

    limitRejected(limit: McpLimitName, target?: string): void {
      limitRejections.inc({ limit, target: target === undefined ? '' : targets.label(target) });
    },

    pendingChanged(delta: number): void {
      pendingCount = Math.max(0, pendingCount + delta);
      pending.set(pendingCount);
    },

    sessionCallers(count: number): void {
      sessionCallers.set(count);
    },

    sessionExpired(): void {
      sessionsExpired.inc();
    },

    sessionResume(result: string): void {
      sessionResumes.inc({ result });
    },

    slowClientDisconnected(stream: 'mcp' | 'proxy'): void {
      slowClients.inc({ stream });
    },

    childSpawned(target: string): void {
      const label = targets.label(target);
      const n = (childCounts.get(label) ?? 0) + 1;
      childCounts.set(label, n);
      children.set({ target: label }, n);
    },

    childExited(target: string): void {
      const label = targets.label(target);
      const n = Math.max(0, (childCounts.get(label) ?? 0) - 1);
      childCounts.set(label, n);
      children.set({ target: label }, n);
    },
  };
}

/** Error codes come from the registry (a closed set); anything else is `other`. */
function errorCodeLabel(code: string): string {
  return /^[A-Z_]{1,40}$/.test(code) ? code : 'other';
}
