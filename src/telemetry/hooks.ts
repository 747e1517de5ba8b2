/**
 * Telemetry hooks the MCP layer and upstreams call. src/telemetry/metrics.ts implements them with
 * prom-client; NOOP_TELEMETRY is used where observability is not wired (unit tests).
 */
export interface McpRequestEvent {
  readonly method: string;
  readonly target: string | undefined;
  readonly resourceType: 'tool' | 'prompt' | 'resource' | 'template' | undefined;
  readonly resource: string | undefined;
  readonly decision: 'allow' | 'deny' | undefined;
}

export interface McpTelemetry {
  mcpRequest(e: McpRequestEvent): void;
  /**
   * One finished upstream call. `code` is undefined when the upstream answered (result or JSON-RPC error),
   * else the `UPSTREAM_*` code of the failure (src/errors/upstream.ts). Client cancellations are not reported.
   */
  upstreamCall(target: string, seconds: number, code: string | undefined): void;
  sessionOpened(): void;
  sessionClosed(): void;
  childSpawned(target: string): void;
  childExited(target: string): void;
  /**
   * Names an upstream returned in tools/list, prompts/list or resources/list (before authorization
   * filtering). Optional: the metrics use them to keep the `resource` label bounded to real names.
   */
  resourcesListed?(target: string, type: McpRequestEvent['resourceType'], names: readonly string[]): void;
  /** A request refused by a `config.limits` bound (target: the stdio target, for the child limit). */
  limitRejected?(limit: McpLimitName, target?: string): void;
  /** Requests in flight on sessions and stateless callers went up (+1) or down (-1). */
  pendingChanged?(delta: number): void;
  /** Distinct callers (identities, or source addresses of anonymous callers) holding sessions. */
  sessionCallers?(count: number): void;
  /** A session closed by `limits.sessionIdleTimeout`. */
  sessionExpired?(): void;
  /**
   * A session id this process did not hold, opened to continue the session here (src/mcp/session/resume.ts):
   * `resumed`, or why not (`invalid`, `expired`, `identity`, `backend`, `pinned`, `ended`, `unavailable`, `failed`).
   */
  sessionResume?(result: string): void;
  /** A client stream cut off because more than `limits.streamBufferBytes` were queued towards it. */
  slowClientDisconnected?(stream: 'mcp' | 'proxy'): void;
  /** One fetch of an OpenAPI `schema: {url}` (src/mcp/upstream/openapi-remote.ts). */
  openApiSchemaFetch?(result: 'success' | 'failure'): void;
}

export type McpLimitName =
  'sessions' | 'sessionsPerIdentity' | 'stdioChildrenPerTarget' | 'pendingRequestsPerSession';

export const NOOP_TELEMETRY: McpTelemetry = {
  mcpRequest() {},
  upstreamCall() {},
  sessionOpened() {},
  sessionClosed() {},
  childSpawned() {},
  childExited() {},
  resourcesListed() {},
};
