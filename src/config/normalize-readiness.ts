/** `config.readiness` with its defaults (documented in docs/observability.md). */
import { durationMs } from './duration.js';
import type { ReadinessConfig } from './schema/readiness.js';
import type { NormalizedReadiness } from './types.js';

export const READINESS_DEFAULTS = {
  requireTargets: false,
  requireJwks: false,
  probeIntervalMs: 30_000,
  probeMaxBackoffMs: 30_000,
} as const satisfies NormalizedReadiness;

export function normalizeReadiness(raw: ReadinessConfig | undefined): NormalizedReadiness {
  const r = raw ?? {};
  const d = READINESS_DEFAULTS;
  return {
    requireTargets: r.requireTargets ?? d.requireTargets,
    requireJwks: r.requireJwks ?? d.requireJwks,
    probeIntervalMs: durationMs(r.probeInterval, d.probeIntervalMs),
    probeMaxBackoffMs: durationMs(r.probeMaxBackoff, d.probeMaxBackoffMs),
  };
}
