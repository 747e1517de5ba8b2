import { z } from 'zod';
import { credentialLocation } from './credential-location.js';

/** `apiKey` (agentgateway `LocalAPIKeys`): static keys, each with metadata CEL rules can read. */
const keyEntry = z.union([
  z.strictObject({
    key: z.string().min(1),
    metadata: z.record(z.string(), z.unknown()).optional(),
    allowedModels: z.array(z.string()).nullable().optional(),
  }),
  z.strictObject({
    keyHash: z
      .string()
      .regex(/^sha256:[0-9a-fA-F]{64}$/, 'keyHash must use the sha256:<hex> format (64 hex digits)'),
    metadata: z.record(z.string(), z.unknown()).optional(),
    allowedModels: z.array(z.string()).nullable().optional(),
  }),
]);

export const apiKey = z.strictObject({
  keys: z.array(keyEntry),
  mode: z.enum(['strict', 'optional', 'permissive']).optional(),
  location: credentialLocation.optional(),
});

export type ApiKeyConfig = z.infer<typeof apiKey>;
