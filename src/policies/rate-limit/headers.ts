import type { ServerResponse } from 'node:http';
import type { RateLimitResult } from '../types.js';

/**
 * `x-ratelimit-limit/remaining/reset` (reset in seconds, agentgateway's headers) on every rate-limited
 * route's response, plus `Retry-After` on a denial. The pipeline writes the 429 body itself
 * (`rate limit exceeded`, or a JSON-RPC error on MCP routes).
 */
export function writeRateLimitHeaders(res: ServerResponse, result: RateLimitResult): void {
  res.setHeader('x-ratelimit-limit', String(result.limit));
  res.setHeader('x-ratelimit-remaining', String(result.remaining));
  res.setHeader('x-ratelimit-reset', String(result.resetSeconds));
  if (!result.allowed) res.setHeader('retry-after', String(Math.max(1, result.resetSeconds)));
}
