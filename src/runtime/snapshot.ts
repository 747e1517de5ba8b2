/**
 * The immutable runtime snapshot the request path reads. Built completely by build.ts
 * before it replaces the previous one; a request reads `gateway.snapshot` once and uses that object
 * throughout, so it sees either the old or the new config, never a mix.
 */
import type { RemoteJwksStatus } from '../policies/jwt/jwks-status.js';
import type {
  NormalizedBind,
  NormalizedConfig,
  NormalizedListener,
  NormalizedRoute,
} from '../config/types.js';
import type { RuntimeMcpBackend } from '../mcp/backend.js';
import type { CompiledRoutePolicies } from '../policies/types.js';
import type { CompiledNetworkAuthorization } from '../policies/authorization/network.js';
import type { CompiledRouteMatcher } from './router.js';

export type RuntimeBackend =
  | { readonly kind: 'mcp'; readonly mcp: RuntimeMcpBackend }
  | { readonly kind: 'host'; readonly host: string };

export interface RuntimeRoute {
  readonly key: string;
  readonly name: string;
  readonly hostnames: readonly string[];
  readonly matcher: CompiledRouteMatcher;
  readonly policies: CompiledRoutePolicies;
  /** The route's first backend: its kind decides how errors are answered (JSON-RPC for MCP). */
  readonly backend: RuntimeBackend | undefined;
  /** Every backend the route uses (all of the first one's kind), in config order. */
  readonly backends: readonly RuntimeBackend[];
  /**
   * The backend for one request: the one whose key is `sticky` (the MCP backend owning the request's
   * session) when the route has it, else a weighted random choice (src/runtime/weighted.ts).
   */
  pickBackend(sticky?: string): RuntimeBackend | undefined;
  readonly config: NormalizedRoute;
}

export interface RuntimeListener {
  readonly key: string;
  readonly name: string;
  readonly hostname: string;
  readonly routes: readonly RuntimeRoute[];
  readonly config: NormalizedListener;
}

export interface RuntimeBind {
  readonly key: string;
  readonly port: number;
  readonly address: string;
  /** TCP / TLS binds proxy connections (src/tcp/); their listeners carry `config.tcpRoutes`. */
  readonly protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'TLS';
  /** PEM contents for HTTPS binds (and TLS binds that terminate) (first HTTPS listener's cert; SNI per listener hostname). */
  readonly tls: readonly { readonly hostname: string; readonly cert: string; readonly key: string }[];
  readonly listeners: readonly RuntimeListener[];
  readonly config: NormalizedBind;
}

export interface Snapshot {
  readonly generation: number;
  readonly config: NormalizedConfig;
  readonly binds: readonly RuntimeBind[];
  /** `frontendPolicies.networkAuthorization`: checked for every client connection before routing. */
  readonly networkAuthorization: CompiledNetworkAuthorization | undefined;
  /** Absolute paths of every file the config read (JWKS, TLS, OpenAPI) — watched for reload. */
  readonly dependencies: readonly string[];
  readonly warnings: readonly string[];
  /** Keys of every MCP backend, for McpService.retainBackends after a swap. */
  readonly mcpBackendKeys: ReadonlySet<string>;
  /** Every remote JWKS the policies use, with its state (readiness, `portcullis_jwks_available`). */
  readonly jwks: readonly RemoteJwksStatus[];
  /** Release policy resources (JWKS refresh timers) once no request uses this snapshot any more. */
  close(): void;
}
