import { z } from 'zod';
import { fileRef } from './common.js';
import { credentialLocation } from './credential-location.js';

/** `basicAuth` (agentgateway `LocalBasicAuth`): an htpasswd user database, inline or `{file}`. */
export const basicAuth = z.strictObject({
  htpasswd: z.union([fileRef, z.string().min(1).describe('inline htpasswd lines')]),
  realm: z.string().optional(),
  mode: z.enum(['strict', 'optional']).optional(),
  authorizationLocation: credentialLocation.optional(),
});

export type BasicAuthConfig = z.infer<typeof basicAuth>;
