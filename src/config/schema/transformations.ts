import { z } from 'zod';
import { celExpr } from './common.js';

/** `transformations` (agentgateway `LocalTransformationConfig`): CEL-computed headers and bodies. */
export const transform = z.strictObject({
  /** header → CEL value, appended. */
  add: z.record(z.string(), celExpr).optional(),
  /** header → CEL value, replaced. */
  set: z.record(z.string(), celExpr).optional(),
  remove: z.array(z.string().min(1)).optional(),
  /** CEL computing the new body: strings are sent as is, other values JSON-encoded. */
  body: celExpr.nullable().optional(),
});

export const transformations = z.strictObject({
  request: transform.nullable().optional(),
  response: transform.nullable().optional(),
});

export type TransformConfig = z.infer<typeof transform>;
export type TransformationsConfig = z.infer<typeof transformations>;
