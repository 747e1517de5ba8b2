import { z } from 'zod';
import { duration, fileRef } from './common.js';
import { backendAuth, backendTLS, routePolicies } from './policies.js';

export const hostTarget = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).optional(),
  path: z.string().optional(),
});

/** Static per-target shaping (beyond agentgateway, #95/#772): hide tools for everyone before CEL runs. */
const toolFilter = z.strictObject({
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
});

const targetCommon = {
  /** Also the tool-name prefix when multiplexing (`<name>_<tool>`); see src/mcp/routing/naming.ts for `_`. */
  name: z.string().min(1),
  tools: toolFilter.optional(),
  connectTimeout: duration.optional(),
  requestTimeout: duration.optional(),
};

export const stdioTarget = z.strictObject({
  cmd: z.string().min(1),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  /** agentgateway: start the child with an empty environment (default false: inherit, see docs/targets.md). */
  clear_env: z.boolean().optional(),
});
/** `{file}`, `{url}` (fetched at run time), agentgateway's inline string, or (beyond it, older docs) `{inline}`. */
export const openapiSchemaSource = z.union([
  fileRef,
  z.strictObject({ url: z.url({ protocol: /^https?$/ }) }),
  z.strictObject({ inline: z.string().min(1) }),
  z.string().min(1).describe('the OpenAPI document itself (JSON or YAML)'),
]);
export const openapiTarget = z.strictObject({
  ...hostTarget.shape,
  schema: openapiSchemaSource,
});

/**
 * A network target's own transport policies (agentgateway's `targets[].policies`): they replace the
 * route's backendAuth / backendTLS for this target only. Not on stdio targets (agentgateway neither).
 */
export const targetPolicies = z.strictObject({
  backendAuth: backendAuth.optional(),
  backendTLS: backendTLS.optional(),
});
const networkTarget = { ...targetCommon, policies: targetPolicies.optional() };

/** A stdio target takes no `policies` (./unsupported.ts says so at the key). */
export const stdioTargetEntry = z.strictObject({ ...targetCommon, stdio: stdioTarget });

export const mcpTarget = z.union([
  stdioTargetEntry,
  z.strictObject({ ...networkTarget, mcp: hostTarget }),
  z.strictObject({ ...networkTarget, sse: hostTarget }),
  z.strictObject({ ...networkTarget, openapi: openapiTarget }),
]);

export const mcpBackendOptions = {
  targets: z.array(mcpTarget).min(1),
  statefulMode: z.enum(['stateful', 'stateless']).optional(),
  prefixMode: z.enum(['conditional', 'always', 'never']).optional(),
  failureMode: z.enum(['failClosed', 'failOpen']).optional(),
  dnsRebindingProtection: z.boolean().optional(),
  /** Idle session TTL (default 30m). */
  sessionIdleTtl: duration.optional(),
  /** Max request body size in bytes (default 2 MiB). */
  maxBodyBytes: z.number().int().positive().optional(),
};
export const mcpBackend = z.strictObject({
  ...mcpBackendOptions,
  /** The July 2025 docs (and the seed's stdio example) still write it; accepted with a warning. */
  name: z
    .string()
    .optional()
    .meta({ deprecated: true, description: 'ignored: removed from the format in v0.7' }),
});

const weight = z.number().int().min(0).optional();
/** Backend-level policies: merged into the route's (normalize-policies.ts). */
const policies = routePolicies.optional();
export const backend = z.union([
  z.strictObject({ weight, policies, mcp: mcpBackend }),
  z.strictObject({ weight, policies, host: z.string().min(1) }),
  /** A reference to a top-level named backend (`backends: [{name, ...}]`). */
  z.strictObject({ weight, policies, backend: z.string().min(1) }),
]);

export type McpTargetConfig = z.infer<typeof mcpTarget>;
export type TargetPoliciesConfig = z.infer<typeof targetPolicies>;
export type McpBackendConfig = z.infer<typeof mcpBackend>;
export type BackendConfig = z.infer<typeof backend>;
