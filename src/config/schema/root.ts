import { z } from 'zod';
import { mcpBackendOptions } from './backends.js';
import { duration } from './common.js';
import { limitsConfig } from './limits.js';
import { readinessConfig } from './readiness.js';
import { routePolicies } from './policies.js';
import { samplingValue, tracingFields } from './tracing.js';
import { listener, route, routeMatch } from './route.js';
import { attachedTcpRoute } from './tcp-routes.js';
import { attachedRoute, frontendPolicies, gateway, gatewayRefs, namedBackend } from './gateways.js';

export { listener, listenerProtocol, listenerTls, route, routeMatch } from './route.js';

export const bind = z.strictObject({
  port: z.number().int().min(0).max(65535),
  /** Beyond agentgateway: the address to bind (default all interfaces). */
  address: z.string().optional(),
  listeners: z.array(listener),
});

/** OTLP transport: `grpc` (agentgateway's default when absent) or `http` (HTTP/protobuf). */
export const otlpProtocol = z.enum(['grpc', 'http']);

/**
 * agentgateway's forms: `info`, `info,rmcp=debug` (env-filter style) or a list of such directives.
 * The directive without `=` is the level; per-module directives are accepted with a load warning.
 */
export const logLevel = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const staticLogging = z.strictObject({
  level: logLevel.optional(),
  format: z.enum(['json', 'text']).optional(),
  filter: z.string().optional(),
  fields: z
    .strictObject({
      add: z.record(z.string(), z.string()).optional(),
      remove: z.array(z.string()).optional(),
    })
    .optional(),
});

export const staticTracing = z.strictObject({
  otlpEndpoint: z.string().optional(),
  otlpProtocol: otlpProtocol.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  fields: tracingFields.optional(),
  randomSampling: samplingValue.optional(),
  clientSampling: samplingValue.optional(),
  /** The OTLP/HTTP path (default `/v1/traces`). */
  path: z.string().min(1).optional(),
});

export const staticBackend = z.strictObject({
  connectTimeout: duration.optional(),
  poolIdleTimeout: duration.optional(),
  poolMaxSize: z.number().int().positive().optional(),
});

export const staticConfig = z.strictObject({
  adminAddr: z.string().optional(),
  statsAddr: z.string().optional(),
  readinessAddr: z.string().optional(),
  enableIpv6: z.boolean().optional(),
  connectionTerminationDeadline: duration.optional(),
  logging: staticLogging.optional(),
  tracing: staticTracing.optional(),
  mcp: z.strictObject({ sessionTtl: duration.optional() }).optional(),
  backend: staticBackend.optional(),
  listener: z.strictObject({ maxBufferSize: z.number().int().positive().optional() }).optional(),
  /** Beyond agentgateway: resource bounds (src/config/schema/limits.ts). */
  limits: limitsConfig.optional(),
  /** Beyond agentgateway: what readiness waits for, target probes (src/config/schema/readiness.ts). */
  readiness: readinessConfig.optional(),
});

/** The simplified top-level `mcp:` format. */
export const mcpShorthand = z.strictObject({
  /** Serve on these gateways' listeners instead of a port of its own (the `gateways:` format). */
  gateways: gatewayRefs.optional(),
  port: z.number().int().min(0).max(65535).optional(),
  ...mcpBackendOptions,
  policies: routePolicies.optional(),
});

export const rootConfig = z.strictObject({
  $schema: z.string().optional(),
  config: staticConfig.optional(),
  binds: z.array(bind).optional(),
  mcp: mcpShorthand.optional(),
  /** The current format (src/config/schema/gateways.ts). */
  gateways: z.record(z.string().min(1), gateway).optional(),
  routes: z.array(attachedRoute).optional(),
  tcpRoutes: z.array(attachedTcpRoute).optional(),
  backends: z.array(namedBackend).optional(),
  frontendPolicies: frontendPolicies.optional(),
});

export type RootConfig = z.infer<typeof rootConfig>;
export type StaticConfig = z.infer<typeof staticConfig>;
export type BindConfig = z.infer<typeof bind>;
export type ListenerConfig = z.infer<typeof listener>;
export type RouteConfig = z.infer<typeof route>;
export type RouteMatchConfig = z.infer<typeof routeMatch>;
