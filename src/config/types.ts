/**
 * The normalized config: defaults filled, names generated, shorthand expanded, relative paths resolved.
 * Frozen after normalization. The runtime builder (src/runtime/) compiles it; the request path never
 * sees raw YAML. Policy blocks keep their typed config shape plus `at` (the YAML path) so compile-time
 * errors (bad CEL, missing JWKS) can point at file:line:col.
 */
import type {
  BackendAuthConfig,
  BackendTlsConfig,
  RoutePoliciesConfig,
  RuleConfig,
  StaticConfig,
} from './schema/index.js';

/** A path into the config document, e.g. ['binds', 0, 'listeners', 0, 'routes', 0, 'policies', 'jwtAuth']. */
export type ConfigPath = readonly (string | number)[];

export interface NormalizedConfig {
  readonly source: ConfigSource;
  readonly static: NormalizedStatic;
  readonly binds: readonly NormalizedBind[];
  /** `frontendPolicies.networkAuthorization`: rules every client connection must pass (all binds). */
  readonly networkAuthorization?: {
    readonly rules: readonly RuleConfig[];
    readonly at: ConfigPath;
  };
}

export interface ConfigSource {
  /** Absolute path of the config file; undefined for `-c` inline config or stdin. */
  readonly file: string | undefined;
  /** Display name used in error messages (file path, `<inline>` or `<stdin>`). */
  readonly name: string;
  /** Folder that relative paths resolve against after the working directory. */
  readonly baseDir: string;
  readonly text: string;
}

/**
 * A sampling decision as agentgateway defines it: a fixed ratio (booleans are 0 and 1), or a CEL
 * expression evaluated per request to a bool or a ratio (src/telemetry/sampling.ts).
 */
export type NormalizedSampling =
  { readonly ratio: number } | { readonly expression: string; readonly at: ConfigPath };

/** `config.tracing` or `frontendPolicies.tracing` (one of them), with agentgateway's defaults. */
export interface NormalizedTracing {
  /** For `http`: the full traces URL; for `grpc`: the collector's `http(s)://host:port`. */
  readonly otlpEndpoint: string;
  readonly protocol: 'grpc' | 'http';
  readonly headers: Readonly<Record<string, string>>;
  /** Requests without a `traceparent` (default: none are traced). */
  readonly randomSampling: NormalizedSampling;
  /** Requests with a `traceparent` (default: all, following the caller's sampled flag). */
  readonly clientSampling: NormalizedSampling;
  /** Span attributes added by CEL (`span.name` renames the request span), and names removed. */
  readonly fieldsAdd: Readonly<Record<string, string>>;
  readonly fieldsRemove: readonly string[];
  /** Resource attributes by CEL, evaluated once when tracing starts. */
  readonly resources: Readonly<Record<string, string>>;
  /** Only requests for which this is true are exported. */
  readonly filter: string | undefined;
  /** Where the tracing block is, for CEL errors. */
  readonly at: ConfigPath;
}

export interface NormalizedStatic {
  readonly adminAddr: HostPort;
  readonly statsAddr: HostPort;
  readonly readinessAddr: HostPort;
  readonly connectionTerminationDeadlineMs: number;
  readonly maxBufferSize: number;
  readonly sessionTtlMs: number;
  readonly logging: {
    readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
    /** `auto` (unset): text on a terminal, JSON otherwise (src/telemetry/logger.ts). */
    readonly format: 'json' | 'text' | 'auto';
    readonly filter: string | undefined;
    readonly fieldsAdd: Readonly<Record<string, string>>;
    readonly fieldsRemove: readonly string[];
  };
  readonly tracing: NormalizedTracing | undefined;
  readonly backend: {
    readonly connectTimeoutMs: number;
    readonly poolIdleTimeoutMs: number;
    /** Max idle connections per upstream host; undefined = undici's default. */
    readonly poolMaxSize: number | undefined;
  };
  readonly limits: NormalizedLimits;
  readonly readiness: NormalizedReadiness;
  /** The raw static section, to detect changes that need a restart. */
  readonly raw: StaticConfig;
}

/** `config.readiness` with defaults filled (src/config/normalize-readiness.ts). */
export interface NormalizedReadiness {
  /** Failing targets hold readiness back (off by default: ready = config loaded and listeners up). */
  readonly requireTargets: boolean;
  /** A remote JWKS without keys yet holds readiness back (off by default: shown as degraded). */
  readonly requireJwks: boolean;
  readonly probeIntervalMs: number;
  readonly probeMaxBackoffMs: number;
}

/** `config.limits` with defaults filled (src/config/normalize-limits.ts). */
export interface NormalizedLimits {
  readonly requestHeaderTimeoutMs: number;
  readonly requestBodyTimeoutMs: number;
  readonly connectionsPerBind: number;
  readonly sessions: number;
  readonly sessionsPerIdentity: number;
  readonly sessionIdleTimeoutMs: number;
  readonly sessionMaxLifetimeMs: number;
  readonly stdioChildrenPerTarget: number;
  readonly pendingRequestsPerSession: number;
  readonly streamBufferBytes: number;
  readonly mirrorRequestsInFlight: number;
  readonly mirrorBytesInFlight: number;
  readonly mirrorTimeoutMs: number;
  readonly bufferedBodyBytes: number;
  readonly tcpIdleTimeoutMs: number;
  readonly openapiSchemaBytes: number;
  readonly openapiSchemaTimeoutMs: number;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface NormalizedBind {
  /** `bind/<port>` */
  readonly key: string;
  readonly port: number;
  /** Address to listen on; default `::` (all interfaces) */
  readonly address: string;
  readonly listeners: readonly NormalizedListener[];
  readonly at: ConfigPath;
}

export interface NormalizedListener {
  /** `<name>/<gatewayName>` */
  readonly key: string;
  readonly name: string;
  readonly gatewayName: string;
  /** Empty string = any host. May be a wildcard `*.example.com`. */
  readonly hostname: string;
  readonly protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'TLS';
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  readonly routes: readonly NormalizedRoute[];
  /** TCP / TLS listeners only (src/config/normalize-tcp.ts). */
  readonly tcpRoutes?: readonly NormalizedTcpRoute[];
  readonly at: ConfigPath;
}

export interface NormalizedRoute {
  /** `<listenerKey>/<routeName>/<ruleName>` */
  readonly key: string;
  readonly name: string;
  readonly ruleName: string;
  readonly hostnames: readonly string[];
  readonly matches: readonly NormalizedMatch[];
  readonly policies: Readonly<RoutePoliciesConfig>;
  readonly backends: readonly NormalizedBackend[];
  readonly at: ConfigPath;
  /**
   * Where a policy was written when not at `<at>.policies.<name>`: on a backend, a named backend, a
   * listener or a gateway (src/config/normalize-policies.ts). Compile errors point there.
   */
  readonly policyAt?: Readonly<Record<string, ConfigPath>>;
}

export interface NormalizedTcpRoute {
  /** `<listenerKey>/<routeName>/<ruleName>` */
  readonly key: string;
  readonly name: string;
  /** SNI names (TLS passthrough); empty = any. */
  readonly hostnames: readonly string[];
  readonly backends: readonly { readonly host: string; readonly weight: number }[];
  readonly at: ConfigPath;
}

export type PathMatch =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'regex'; readonly value: string };

export type ValueMatch = { readonly exact: string } | { readonly regex: string };

export interface NormalizedMatch {
  readonly path: PathMatch;
  readonly method: string | undefined;
  readonly headers: readonly { readonly name: string; readonly value: ValueMatch }[];
  readonly query: readonly { readonly name: string; readonly value: ValueMatch }[];
}

export type NormalizedBackend = NormalizedMcpBackend | NormalizedHostBackend;

export interface NormalizedHostBackend {
  readonly kind: 'host';
  readonly host: string;
  /** Relative weight among the route's backends (default 1). */
  readonly weight: number;
  readonly at: ConfigPath;
}

export interface NormalizedMcpBackend {
  readonly kind: 'mcp';
  /** `mcp` for the shorthand, else `<routeKey>/backend<idx>` */
  readonly name: string;
  /** Relative weight among the route's backends (default 1). */
  readonly weight: number;
  readonly targets: readonly NormalizedTarget[];
  readonly statefulMode: 'stateful' | 'stateless';
  /** `never` needs a single target (normalize-backend.ts). */
  readonly prefixMode: 'conditional' | 'always' | 'never';
  readonly failureMode: 'failClosed' | 'failOpen';
  /** undefined = decide from the listener's bind address (on when loopback only). */
  readonly dnsRebindingProtection: boolean | undefined;
  readonly sessionIdleTtlMs: number;
  readonly maxBodyBytes: number;
  readonly at: ConfigPath;
}

interface TargetCommon {
  readonly name: string;
  readonly tools:
    { readonly include: readonly string[] | undefined; readonly exclude: readonly string[] } | undefined;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly at: ConfigPath;
}

/** An HTTP-reached target: its own backendAuth / backendTLS replace the route's for it. */
interface NetworkTarget extends TargetCommon {
  readonly policies?: {
    readonly backendAuth?: BackendAuthConfig;
    readonly backendTLS?: BackendTlsConfig;
    readonly at: ConfigPath;
  };
}

export type NormalizedTarget =
  | (TargetCommon & {
      readonly kind: 'stdio';
      readonly cmd: string;
      readonly args: readonly string[];
      /** Set on top of the inherited environment (see docs/targets.md). */
      readonly env: Readonly<Record<string, string>>;
      /** agentgateway's `clear_env`: inherit nothing but PATH (default false: inherit all but PORTCULLIS_*). */
      readonly clearEnv: boolean;
    })
  | (NetworkTarget & { readonly kind: 'mcp'; readonly url: string })
  | (NetworkTarget & { readonly kind: 'sse'; readonly url: string })
  | (NetworkTarget & {
      readonly kind: 'openapi';
      readonly baseUrl: string;
      /** The parsed OpenAPI document (undefined when it is fetched from `schemaUrl`). */
      readonly schema: unknown;
      readonly schemaFile: string | undefined;
      /** `schema: {url}`: fetched at run time (src/mcp/upstream/openapi-remote.ts). */
      readonly schemaUrl: string | undefined;
    });
