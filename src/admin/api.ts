/**
 * The admin API's wire types: the JSON the admin server sends and the UI reads. The UI imports this
 * file too (type-only), so it imports nothing and holds only plain JSON shapes.
 */

/** One config problem, located in the file (1-based line and column) and in the document. */
export interface ConfigIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Path to the field, e.g. `binds.0.listeners.0.routes.0.policies.jwtAuth.jwks`. */
  readonly path: string;
  readonly message: string;
}

/** The last (re)load of the config file. */
export interface ReloadStatus {
  readonly ok: boolean;
  /** ISO time of the attempt. */
  readonly at: string;
  readonly errors: readonly ConfigIssue[];
  /** Static-section fields that changed but only take effect after a restart (e.g. `config.adminAddr`). */
  readonly restartRequired: readonly string[];
}

export interface ReadyState {
  readonly ready: boolean;
  /** What is still missing: `config`, `listener bind/3000`, `target everything: spawn ENOENT`, … */
  readonly pending: readonly string[];
  /** Ready, but not everything works: a remote JWKS not fetched yet (unless `readiness.requireJwks`). */
  readonly degraded?: readonly string[];
}

/** A session as `/api/sessions` shows it (the shape of SessionInfo in src/mcp/backend.ts). */
export interface SessionView {
  readonly id: string;
  readonly backend: string;
  readonly transport: 'streamable' | 'sse' | 'stateless';
  readonly protocolVersion: string;
  readonly sub: string | undefined;
  readonly createdAt: number;
  readonly lastActiveAt: number;
  readonly targets: readonly { readonly name: string; readonly kind: string; readonly pid?: number }[];
}

/** One page of `/api/sessions/page` (sessions ordered by last activity, newest first). */
export interface SessionPage {
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly sessions: readonly SessionView[];
}

export type McpItemKind = 'tool' | 'prompt' | 'resource';

/** One tool/prompt/resource of one target, and what the route's authorizer decides for this identity. */
export interface ExplainItem {
  /** Route key the item is reachable through. */
  readonly route: string;
  readonly kind: McpItemKind;
  readonly target: string;
  /** The upstream's own name (resources: the URI or URI template). */
  readonly name: string;
  /** The name clients see (prefixed `<target>_<name>` when multiplexing). */
  readonly exposedName: string;
  readonly allowed: boolean;
  /** The rule that decided; absent when no rule decided (no rules → allowed; nothing matched → denied). */
  readonly rule?: {
    /** 0-based position in the route's `rules` list. */
    readonly index: number;
    /** How every view names the rule: `rules[0]`, as the config path shows it. */
    readonly ref: string;
    readonly effect: 'allow' | 'deny' | 'require';
    readonly source: string;
  };
  /** Human-readable why, e.g. `allowed by rules[0]: mcp.tool.name == "echo"`. */
  readonly reason: string;
}

export interface ExplainResult {
  readonly identity: {
    /** Verified claims; null when no token was given or it was rejected. */
    readonly claims: Readonly<Record<string, unknown>> | null;
    /** Why the token was rejected (`token expired`, `issuer mismatch`, …). */
    readonly error?: string;
  };
  readonly items: readonly ExplainItem[];
  /**
   * Decisions made at request time by external services, which explain cannot predict: one line per
   * route with extAuthz or remoteRateLimit (an ALLOW above may still be refused by them).
   */
  readonly external?: readonly { readonly route: string; readonly line: string }[];
  /** Remote JWKS without keys yet (their routes refuse every token until a fetch succeeds). */
  readonly jwks?: readonly { readonly url: string; readonly error: string }[];
  /** Targets whose items could not be listed (the items above then miss them). */
  readonly targetErrors?: readonly {
    readonly route: string;
    readonly target: string;
    readonly message: string;
    /** The backend's failureMode: failClosed means the route's clients get an error while this target is down. */
    readonly failureMode: 'failClosed' | 'failOpen';
    /** How many targets the backend has (failOpen would serve the others). */
    readonly targets: number;
  }[];
}

export interface ExplainOptions {
  /** Only this tool (the upstream name or the exposed name). */
  readonly tool?: string;
  /** Only this route key. */
  readonly route?: string;
}

/** A client-facing endpoint derived from a route (see src/admin/endpoints.ts). */
export interface EndpointInfo {
  /** Streamable HTTP URL (MCP) or the route's base URL (HTTP). */
  readonly url: string;
  readonly path: string;
  /** Legacy SSE URL; absent when the route cannot serve one (an exact path match). */
  readonly sseUrl?: string;
  readonly listener: string;
  readonly route: string;
  readonly kind: 'mcp' | 'http';
  /** Transports the endpoint accepts: stateless backends have no GET stream and no SSE. */
  readonly transports: readonly ('streamable' | 'sse')[];
  /** True when the route has jwtAuth or mcpAuthentication. */
  readonly auth: boolean;
  /** True when the route has a cors policy (the Playground needs one: it runs on the admin origin). */
  readonly cors: boolean;
}

export interface DemoToken {
  readonly name: string;
  readonly token: string;
  /** e.g. `sub=test-user, nested.key=value` */
  readonly description?: string;
}

export type TargetState = 'ok' | 'failing' | 'idle';

export interface TargetSummary {
  readonly name: string;
  readonly kind: 'stdio' | 'mcp' | 'sse' | 'openapi';
  /** The command line or URL. */
  readonly detail: string;
  readonly route: string;
  readonly backend: string;
  readonly status: TargetState;
  readonly error?: string;
}

export interface ListenerSummary {
  readonly key: string;
  readonly name: string;
  readonly bind: string;
  readonly address: string;
  readonly port: number;
  readonly hostname: string;
  readonly protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'TLS';
  readonly routes: readonly string[];
}

export type BackendSummary =
  | {
      readonly kind: 'mcp';
      readonly name: string;
      readonly targets: readonly string[];
      readonly statefulMode: string;
    }
  | { readonly kind: 'host'; readonly host: string };

/**
 * One route. `policies` has the config file's shape for route policies (the UI types it with the types
 * generated from schema/config.schema.json), with secrets redacted.
 */
export interface RouteSummary {
  readonly key: string;
  readonly name: string;
  readonly listener: string;
  readonly hostnames: readonly string[];
  /** Human-readable matches: `prefix /`, `exact /mcp`, `regex ^/a.*$`, plus method/header/query. */
  readonly matches: readonly string[];
  readonly policies: Readonly<Record<string, unknown>>;
  readonly backends: readonly BackendSummary[];
}

export interface AdminSummary {
  readonly version: string;
  /** Absolute path of the config file, if the config came from one. */
  readonly configFile: string | undefined;
  readonly reload: ReloadStatus;
  readonly listeners: readonly ListenerSummary[];
  readonly routes: readonly RouteSummary[];
  readonly targets: readonly TargetSummary[];
  readonly sessions: number;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What `GET /api/preflight` reports: a CORS preflight the admin server sent to a gateway endpoint. */
export interface PreflightReport {
  readonly url: string;
  readonly origin: string;
  readonly reachable: boolean;
  /** Network error when not reachable. */
  readonly error?: string;
  readonly status?: number;
  readonly allowOrigin?: string;
  readonly allowHeaders?: string;
  readonly allowMethods?: string;
  readonly exposeHeaders?: string;
}
