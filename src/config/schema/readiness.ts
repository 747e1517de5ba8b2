import { z } from 'zod';
import { duration } from './common.js';

/**
 * `config.readiness` — what `GET /healthz/ready` waits for, and how targets are probed (beyond
 * agentgateway). Defaults in `src/config/normalize-readiness.ts`; documented in docs/observability.md.
 */
export const readinessConfig = z.strictObject({
  /** Also hold readiness back while an MCP target is failing its probes. Default false. */
  requireTargets: z.boolean().optional(),
  /** Also hold readiness back while a remote JWKS has not been fetched once. Default false. */
  requireJwks: z.boolean().optional(),
  /** Time between probes of a healthy HTTP target. Default 30s. */
  probeInterval: duration.optional(),
  /** Longest wait between probes of a failing target (the backoff doubles from 1s up to this). Default 30s. */
  probeMaxBackoff: duration.optional(),
});

export type ReadinessConfig = z.infer<typeof readinessConfig>;
