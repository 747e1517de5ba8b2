import { z } from 'zod';
import { celExpr, duration } from './common.js';

/** `retry` (agentgateway `RetryPolicy`). */
export const retry = z.strictObject({
  /** Total attempts including the first (default 1 = no retry). */
  attempts: z.number().int().min(1).max(255).optional(),
  backoff: duration.nullable().optional(),
  /** Upstream HTTP statuses that are retried. */
  codes: z.array(z.number().int().min(100).max(599)),
  /** CEL over the request; false disables retries for it. */
  precondition: celExpr.nullable().optional(),
  /**
   * Beyond agentgateway: retry MCP `tools/call` too. Off by default, because a tool call is not
   * idempotent (it may have run before the upstream failed).
   */
  retryNonIdempotent: z.boolean().optional(),
});

export type RetryConfig = z.infer<typeof retry>;
