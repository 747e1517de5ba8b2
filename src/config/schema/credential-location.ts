import { z } from 'zod';
import { celExpr } from './common.js';

/**
 * Where apiKey / basicAuth read the caller's credential (agentgateway's `AuthorizationLocation`): a
 * header with an optional prefix to strip, a query parameter, or a cookie.
 */
export const credentialLocation = z.union([
  z.strictObject({
    header: z.strictObject({ name: z.string().min(1), prefix: z.string().optional() }),
  }),
  z.strictObject({ queryParameter: z.strictObject({ name: z.string().min(1) }) }),
  z.strictObject({ cookie: z.strictObject({ name: z.string().min(1) }) }),
  z.strictObject({ expression: celExpr }),
]);

export type CredentialLocationConfig = z.infer<typeof credentialLocation>;
