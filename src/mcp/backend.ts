import type { SessionKeyring } from './session/session-token.js';
import type { SharedState } from '../redis/shared-state.js';
import type { Logger } from 'pino';
import type { NormalizedLimits, NormalizedMcpBackend, NormalizedTarget } from '../config/types.js';
import type { CompiledBackendAuth, CompiledBackendTls, CompiledRetry } from '../policies/types.js';
import type { RequestContext } from '../contracts/request-context.js';
import type { McpTelemetry } from '../telemetry/hooks.js';
import type { McpAuthorizer } from '../contracts/authorization.js';
import type { Naming } from './routing/naming.js';
import type { UpstreamFactory } from './upstream/upstream.js';

export type { UpstreamFactory };

/** One MCP backend of one route, compiled. Rebuilt on every reload; `key` stays equal while the backend is unchanged. */
export interface RuntimeMcpBackend {
  /** Stable identity across reloads: backend name + a hash of its targets and modes. */
  readonly key: string;
  /** The backend's config, for display and keys only: the request path reads the compiled fields below. */
  readonly config: NormalizedMcpBackend;
  readonly targets: readonly NormalizedTarget[];
  /** Static `tools: {include, exclude}` filters by target name, compiled at load (absent = every tool). */
  readonly toolFilters: ReadonlyMap<string, (name: string) => boolean>;
  /** The exposed names of this backend's items (src/mcp/routing/naming.ts), built once. */
  readonly naming: Naming;
  readonly failureMode: 'failClosed' | 'failOpen';
  readonly statefulMode: 'stateful' | 'stateless';
  /** Idle TTL of this backend's sessions (ms); 0 = the service default. */
  readonly sessionIdleTtlMs: number;
  /** Largest request body (bytes); 0 = the default. */
  readonly maxBodyBytes: number;
  readonly authorizer: McpAuthorizer;
  readonly backendAuth: CompiledBackendAuth | undefined;
  /** The route's `retry`: failed upstream calls of safe methods are sent again (src/policies/retry/). */
  readonly retry: CompiledRetry | undefined;
  /** backendTLS of the route: TLS options for every HTTPS upstream of this backend. */
  readonly backendTls: CompiledBackendTls | undefined;
  /** Targets with their own `policies` (by name): their backendAuth / backendTLS replace the route's. */
  readonly targetPolicies: ReadonlyMap<string, TargetTransport>;
  /** Resolved: explicit config, else on when the listener binds only to loopback. */
  readonly dnsRebindingProtection: boolean;
}

/** A target's own transport policies, compiled (`targets[].policies`). */
export interface TargetTransport {
  readonly backendAuth: CompiledBackendAuth | undefined;
  readonly backendTls: CompiledBackendTls | undefined;
}

export interface SessionInfo {
  readonly id: string;
  readonly backend: string;
  readonly transport: 'streamable' | 'sse' | 'stateless';
  readonly protocolVersion: string;
  readonly sub: string | undefined;
  readonly createdAt: number;
  readonly lastActiveAt: number;
  readonly targets: readonly { readonly name: string; readonly kind: string; readonly pid?: number }[];
}

/**
 * The MCP service: owns the session store across reloads (owned objects, not module globals).
 * `handle` is the MCP backend's request entry point, called by the pipeline after all route policies.
 */
export interface McpService {
  handle(ctx: RequestContext, backend: RuntimeMcpBackend): Promise<void>;
  /** Key of the backend owning the session the request names (`Mcp-Session-Id`, legacy `?sessionId=`). */
  sessionBackend(ctx: RequestContext): string | undefined;
  sessions(): SessionInfo[];
  /** End one stateful session (its client then gets 404); false when no open session has this id. */
  closeSession(id: string): Promise<boolean>;
  /** After a reload: close sessions whose backend key is not in `keys` (their clients then get 404). */
  retainBackends(keys: ReadonlySet<string>): Promise<void>;
  /** Close every session and child process. */
  shutdown(): Promise<void>;
}

export interface McpServiceDeps {
  readonly logger: Logger;
  readonly upstreams: UpstreamFactory;
  readonly telemetry: McpTelemetry;
  /** Default idle TTL for sessions (ms); a backend's sessionIdleTtlMs overrides it. */
  readonly sessionTtlMs: number;
  /** The current `config.limits` (read per admission, so reloads apply); defaults when absent. */
  readonly limits?: () => NormalizedLimits;
  /** Seals session ids (src/mcp/session/session-token.ts); a random key for this process when absent. */
  readonly sessionKeyring?: SessionKeyring;
  /** Redis: session ids ended on any replica; absent, only this process remembers the ids it ended. */
  readonly sharedState?: SharedState;
}
