import type { Logger } from 'pino';
import type { NormalizedTarget } from '../../config/types.js';
import type { McpTelemetry } from '../../telemetry/hooks.js';
import { LIMIT_DEFAULTS } from '../../config/normalize-limits.js';
import { OpenApiUpstream } from './openapi.js';
import { createRemoteSchemas } from './openapi-remote.js';
import { openApiTools, type OpenApiTool } from './openapi-tools.js';
import { HttpPools } from './pools.js';
import { ProcessGroups } from './process-groups.js';
import { SseUpstream } from './sse.js';
import { StdioUpstream, type UpstreamState } from './stdio.js';
import { StreamableHttpUpstream } from './streamable-http.js';
import type { Upstream, UpstreamTls, UpstreamFactory } from './upstream.js';

export interface UpstreamFactoryOptions {
  readonly telemetry: McpTelemetry;
  /** Idle keep-alive connections to HTTP upstreams are closed after this long. Default 90 s. */
  readonly poolIdleTimeoutMs?: number;
  /** Most connections per HTTP upstream origin (static `backend.poolMaxSize`). Default unlimited. */
  readonly poolMaxSize?: number | undefined;
  /** Used when a target has no connect timeout of its own. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** SIGTERM → SIGKILL grace for stdio process groups. Default 2 s. */
  readonly killGraceMs?: number;
  /**
   * The variables every stdio child inherits before its target's `env`. Default: this process's
   * environment without `PORTCULLIS_*`, read once here (docs/targets.md).
   */
  readonly baseEnv?: Readonly<Record<string, string>>;
  /** Longest JSON-RPC message a stdio child may write. Default 16 MiB. */
  readonly maxMessageBytes?: number;
  /** Bounds of an OpenAPI `schema: {url}` fetch (`limits.openapiSchemaTimeout`/`openapiSchemaBytes`). */
  readonly openApiSchemaLimits?: () => { readonly timeoutMs: number; readonly maxBytes: number };
  /** Told when a stdio target's child starts, cannot start or exits on its own (target health). */
  readonly onStdioState?: (target: NormalizedTarget, e: UpstreamState) => void;
}

/** The factory plus what process-hygiene checks need to see. */
export interface PortcullisUpstreamFactory extends UpstreamFactory {
  /** Process groups of stdio children not yet known to be gone. */
  readonly liveProcessGroups: () => number;
}

/**
 * Creates one `Upstream` per target per session. Owns what outlives a session: the keep-alive pools of
 * HTTP upstreams (shared across config reloads), the parsed tool list of each OpenAPI schema (fetched
 * first for a `{url}` schema, ./openapi-remote.ts), and the
 * registry of stdio process groups — a process 'exit' hook SIGKILLs whatever is left, so no child
 * survives the gateway.
 */
export function createUpstreamFactory(opts: UpstreamFactoryOptions): PortcullisUpstreamFactory {
  const telemetry = opts.telemetry;
  const pools = new HttpPools({
    idleTimeoutMs: opts.poolIdleTimeoutMs ?? 90_000,
    maxConnections: opts.poolMaxSize,
  });
  const groups = new ProcessGroups();
  const killGraceMs = opts.killGraceMs ?? 2000;
  const maxMessageBytes = opts.maxMessageBytes ?? 16 * 1024 * 1024;
  const baseEnv = opts.baseEnv ?? inheritedEnv();
  const defaultConnectTimeout = opts.connectTimeoutMs ?? 10_000;
  const openApiCache = new WeakMap<object, readonly OpenApiTool[]>();
  const remoteSchemas = createRemoteSchemas({
    limits:
      opts.openApiSchemaLimits ??
      (() => ({
        timeoutMs: LIMIT_DEFAULTS.openapiSchemaTimeoutMs,
        maxBytes: LIMIT_DEFAULTS.openapiSchemaBytes,
      })),
    onFetch: (result) => telemetry.openApiSchemaFetch?.(result),
  });

  const killRemainingChildren = (): void => groups.killAll('SIGKILL');
  process.on('exit', killRemainingChildren);

  function toolsOf(schema: unknown): readonly OpenApiTool[] {
    const key = typeof schema === 'object' && schema !== null ? schema : undefined;
    const cached = key && openApiCache.get(key);
    if (cached) return cached;
    const tools = openApiTools(schema);
    if (key) openApiCache.set(key, tools);
    return tools;
  }

  function createInner(target: NormalizedTarget, logger: Logger, tls: UpstreamTls | undefined): Upstream {
    const connectTimeoutMs = target.connectTimeoutMs || defaultConnectTimeout;
    const http = { target: target.name, logger, connectTimeoutMs, requestTimeoutMs: target.requestTimeoutMs };
    switch (target.kind) {
      case 'stdio':
        return new StdioUpstream({
          target: target.name,
          cmd: target.cmd,
          args: target.args,
          env: target.clearEnv ? { ...pathOnly(baseEnv), ...target.env } : { ...baseEnv, ...target.env },
          logger,
          telemetry,
          groups,
          killGraceMs,
          maxMessageBytes,
          onState: opts.onStdioState ? (e) => opts.onStdioState?.(target, e) : undefined,
        });
      case 'mcp':
        return new StreamableHttpUpstream({
          ...http,
          url: target.url,
          agent: pools.get(new URL(target.url), connectTimeoutMs, tls),
        });
      case 'sse':
        return new SseUpstream({
          ...http,
          url: target.url,
          agent: pools.get(new URL(target.url), connectTimeoutMs, tls),
        });
      case 'openapi':
        return new OpenApiUpstream({
          ...http,
          schema:
            target.schemaUrl === undefined
              ? () => ({ tools: toolsOf(target.schema), baseUrl: target.baseUrl })
              : () => remoteSchemas.load(target),
          agent: (url) => pools.get(url, connectTimeoutMs, tls),
        });
    }
  }

  return {
    create: function createUpstream(target, { logger, tls }) {
      return createInner(target, logger, tls);
    },
    close: async function closeUpstreamFactory() {
      await groups.terminateAll(killGraceMs);
      process.off('exit', killRemainingChildren);
      await pools.close();
    },
    liveProcessGroups: () => groups.size,
  };
}

/**
 * agentgateway's default: a child inherits the gateway's environment — except Portcullis's own
 * variables (`PORTCULLIS_*`: the admin token, its file, the session key…), which are never passed on.
 */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, v] of Object.entries(process.env)) {
    if (v !== undefined && !name.toUpperCase().startsWith('PORTCULLIS_')) env[name] = v;
  }
  return env;
}

/** `clear_env: true`: nothing is inherited but PATH, so the command is still found. */
function pathOnly(env: Readonly<Record<string, string>>): Record<string, string> {
  return env.PATH === undefined ? {} : { PATH: env.PATH };
}
