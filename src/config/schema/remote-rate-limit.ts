import { z } from 'zod';
import { celExpr, duration } from './common.js';
import { serviceHost } from './service-target.js';

/** `remoteRateLimit` (agentgateway `RemoteRateLimit`): Envoy RateLimitService v3 over gRPC. */
/** `tokens` (LLM token counts) is agentgateway's other type: not supported yet (./unsupported.ts). */
export const descriptorType = z.enum(['requests']);

export const rateLimitDescriptor = z.strictObject({
  /** key → CEL value; a descriptor whose entries fail to evaluate (or are not strings) is skipped. */
  entries: z.array(z.strictObject({ key: z.string().min(1), value: celExpr })).min(1),
  type: descriptorType.optional(),
  /** CEL: the hits this request adds (default 1); a failure skips the descriptor. */
  cost: celExpr.nullable().optional(),
});

export const remoteRateLimit = z.strictObject({
  host: serviceHost,
  domain: z.string().min(1),
  descriptors: z.array(rateLimitDescriptor).min(1),
  failureMode: z.enum(['failClosed', 'FailClosed', 'failOpen', 'FailOpen']).optional(),
  /** Beyond agentgateway's schema: the ShouldRateLimit deadline, default 2s. */
  timeout: duration.optional(),
});

export type RemoteRateLimitConfig = z.infer<typeof remoteRateLimit>;
