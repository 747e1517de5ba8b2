/** `config.limits` with its defaults (each documented, with its metric, in docs/security.md). */
import { durationMs } from './duration.js';
import type { LimitsConfig } from './schema/limits.js';
import type { NormalizedLimits } from './types.js';

export const LIMIT_DEFAULTS = {
  requestHeaderTimeoutMs: 10_000,
  requestBodyTimeoutMs: 30_000,
  connectionsPerBind: 10_000,
  sessions: 10_000,
  sessionsPerIdentity: 100,
  sessionIdleTimeoutMs: 5 * 60_000,
  sessionMaxLifetimeMs: 24 * 3600_000,
  stdioChildrenPerTarget: 32,
  pendingRequestsPerSession: 256,
  streamBufferBytes: 8 * 1024 * 1024,
  mirrorRequestsInFlight: 64,
  mirrorBytesInFlight: 8 * 1024 * 1024,
  mirrorTimeoutMs: 10_000,
  bufferedBodyBytes: 2 * 1024 * 1024,
  tcpIdleTimeoutMs: 5 * 60_000,
  openapiSchemaBytes: 8 * 1024 * 1024,
  openapiSchemaTimeoutMs: 10_000,
} as const satisfies NormalizedLimits;

export function normalizeLimits(raw: LimitsConfig | undefined): NormalizedLimits {
  const l = raw ?? {};
  const d = LIMIT_DEFAULTS;
  return {
    requestHeaderTimeoutMs: durationMs(l.requestHeaderTimeout, d.requestHeaderTimeoutMs),
    requestBodyTimeoutMs: durationMs(l.requestBodyTimeout, d.requestBodyTimeoutMs),
    connectionsPerBind: l.connectionsPerBind ?? d.connectionsPerBind,
    sessions: l.sessions ?? d.sessions,
    sessionsPerIdentity: l.sessionsPerIdentity ?? d.sessionsPerIdentity,
    sessionIdleTimeoutMs: durationMs(l.sessionIdleTimeout, d.sessionIdleTimeoutMs),
    sessionMaxLifetimeMs: durationMs(l.sessionMaxLifetime, d.sessionMaxLifetimeMs),
    stdioChildrenPerTarget: l.stdioChildrenPerTarget ?? d.stdioChildrenPerTarget,
    pendingRequestsPerSession: l.pendingRequestsPerSession ?? d.pendingRequestsPerSession,
    streamBufferBytes: l.streamBufferBytes ?? d.streamBufferBytes,
    mirrorRequestsInFlight: l.mirrorRequestsInFlight ?? d.mirrorRequestsInFlight,
    mirrorBytesInFlight: l.mirrorBytesInFlight ?? d.mirrorBytesInFlight,
    mirrorTimeoutMs: durationMs(l.mirrorTimeout, d.mirrorTimeoutMs),
    bufferedBodyBytes: l.bufferedBodyBytes ?? d.bufferedBodyBytes,
    tcpIdleTimeoutMs: durationMs(l.tcpIdleTimeout, d.tcpIdleTimeoutMs),
    openapiSchemaBytes: l.openapiSchemaBytes ?? d.openapiSchemaBytes,
    openapiSchemaTimeoutMs: durationMs(l.openapiSchemaTimeout, d.openapiSchemaTimeoutMs),
  };
}
