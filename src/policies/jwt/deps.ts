/**
 * What jwtAuth needs from the outside at run time, injected (no module state): a logger, a clock, and
 * the HTTP dispatcher for remote JWKS. Tests shorten the remote-JWKS intervals here.
 */
import type { Dispatcher } from 'undici';
import type { RemoteJwksStatus } from './jwks-status.js';

/** The subset of a pino logger jwtAuth uses. Never receives a token. */
export interface AuthnLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

export interface RemoteJwksTiming {
  /** Refresh interval when the response has no `Cache-Control: max-age` (default 15 min). */
  readonly defaultTtlMs: number;
  /** Lower bound for max-age (default 60 s). */
  readonly minTtlMs: number;
  /** Next attempt after a failed refresh (default 15 s). */
  readonly retryMs: number;
  /** An unknown `kid` causes at most one refetch per this interval (default 30 s). */
  readonly unknownKidCooldownMs: number;
  /** Whole-fetch timeout (default 10 s). */
  readonly timeoutMs: number;
  /** Largest accepted JWKS body (default 1 MiB). */
  readonly maxBytes: number;
}

export interface JwtAuthDeps {
  readonly logger?: AuthnLogger;
  /** Milliseconds since the epoch; default Date.now. Used for exp/nbf/iat and the refetch cooldown. */
  readonly now?: () => number;
  readonly dispatcher?: Dispatcher;
  readonly remoteJwks?: Partial<RemoteJwksTiming>;
  /** Outcome of each remote JWKS refresh (metrics). */
  readonly onJwksRefresh?: (ok: boolean) => void;
  /** Told of every remote JWKS source the build creates (readiness, metrics, explain). */
  readonly onRemoteJwks?: (status: RemoteJwksStatus) => void;
  /** Verified tokens kept in memory (default 1000). */
  readonly cacheMax?: number;
}

export const DEFAULT_REMOTE_JWKS_TIMING: RemoteJwksTiming = {
  defaultTtlMs: 15 * 60_000,
  minTtlMs: 60_000,
  retryMs: 15_000,
  unknownKidCooldownMs: 30_000,
  timeoutMs: 10_000,
  maxBytes: 1 << 20,
};

export const SILENT_LOGGER: AuthnLogger = { info() {}, warn() {} };
