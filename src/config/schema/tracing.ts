/**
 * agentgateway's tracing forms beside `config.tracing` (root.ts): the sampling values, span `fields`,
 * and `frontendPolicies.tracing` — the current format's way to say where and what to export.
 */
import { z } from 'zod';
import { celExpr } from './common.js';

/** A sampling decision: a ratio, a boolean, or a CEL expression evaluating to either (`"0.25"`, `"true"`). */
export const samplingValue = z.union([z.boolean(), z.number(), z.string().min(1)]);

/** `fields.add` (attribute name → CEL expression) and `fields.remove` (attribute names). */
export const tracingFields = z.strictObject({
  add: z.record(z.string(), z.string()).optional(),
  remove: z.array(z.string()).optional(),
});

/** `frontendPolicies.tracing`: the collector as `host: name:port`, and span attributes by CEL. */
export const frontendTracing = z.strictObject({
  host: z.string().min(1).optional(),
  protocol: z.enum(['grpc', 'http']).optional(),
  /** The OTLP/HTTP path (default `/v1/traces`). */
  path: z.string().min(1).optional(),
  attributes: z.record(z.string(), celExpr).optional(),
  /** Resource attributes (`service.name`), CEL evaluated once when tracing starts. */
  resources: z.record(z.string(), celExpr).optional(),
  remove: z.array(z.string()).optional(),
  randomSampling: samplingValue.optional(),
  clientSampling: samplingValue.optional(),
  filter: celExpr.optional(),
});
