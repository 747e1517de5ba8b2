import { z } from 'zod';
import { celExpr } from './common.js';

/**
 * Where a credential is read from (jwtAuth, mcpAuthentication) or written to (backendAuth):
 * agentgateway's `header` (with an optional `prefix`, default `Bearer ` for `authorization`),
 * `queryParameter`, `cookie` or a CEL `expression`.
 */
export const authLocation = z.union([
  z.strictObject({ header: z.strictObject({ name: z.string().min(1), prefix: z.string().optional() }) }),
  z.strictObject({ queryParameter: z.strictObject({ name: z.string().min(1) }) }),
  z.strictObject({ cookie: z.strictObject({ name: z.string().min(1) }) }),
  z.strictObject({ expression: celExpr }),
]);

export type AuthLocationConfig = z.infer<typeof authLocation>;
