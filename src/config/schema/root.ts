import { z } from 'zod';
import { backend, mcpBackendOptions } from './backends.js';
import { duration } from './common.js';
import { limitsConfig } from './limits.js';
import { readinessConfig } from './readiness.js';
import { routePolicies } from './policies.js';
import { tcpRoute } from './tcp-routes.js';

const valueMatch = z.union([z.strictObject({ exact: z.string() }), z.strictObject({ regex: z.string() })]);

export const routeMatch = z.strictObject({
  path: z
    .union([
      z.strictObject({ exact: z.string() }),
      z.strictObject({ pathPrefix: z.string() }),
      // agentgateway 2025 schema writes regex as a tuple [pattern, flags]; accept both.
      z.strictObject({ regex: z.union([z.string(), z.tuple([z.string(), z.number().int()])]) }),
    ])
    .optional(),
  method: z.string().optional(),
  headers: z.array(z.strictObject({ name: z.string(), value: valueMatch })).optional(),
  query: z.array(z.strictObject({ name: z.string(), value: valueMatch })).optional(),
});

export const route = z.strictObject({
  name: z.string().optional(),
  ruleName: z.string().optional(),
  hostnames: z.array(z.string()).optional(),
  matches: z.array(routeMatch).optional(),
  policies: routePolicies.optional(),
  backends: z.array(backend).optional(),
});

export const listenerProtocol = z.enum(['HTTP', 'HTTPS', 'TCP', 'TLS']);

export const listener = z.strictObject({
  name: z.string().optional(),
  gatewayName: z.string().optional(),
  hostname: z.string().optional(),
  protocol: listenerProtocol.optional(),
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  routes: z.array(route).optional(),
  tcpRoutes: z.array(tcpRoute).optional(),
});

export const bind = z.strictObject({
  port: z.number().int().min(0).max(65535),
  /** Beyond agentgateway: the address to bind (default all interfaces). */
  address: z.string().optional(),
  listeners: z.array(listener).min(1),
});

/** OTLP over HTTP/protobuf only; agentgateway's default `grpc` is listed in UNSUPPORTED_VALUES. */
export const otlpProtocol = z.enum(['http']);

export const staticConfig = z.strictObject({
  adminAddr: z.string().optional(),
  statsAddr: z.string().optional(),
  readinessAddr: z.string().optional(),
  enableIpv6: z.boolean().optional(),
  connectionTerminationDeadline: duration.optional(),
  logging: z
    .strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional(),
      format: z.enum(['json', 'text']).optional(),
      filter: z.string().optional(),
      fields: z
        .strictObject({
          add: z.record(z.string(), z.string()).optional(),
          remove: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
  tracing: z
    .strictObject({
      otlpEndpoint: z.string().optional(),
      otlpProtocol: otlpProtocol.optional(),
      headers: z.record(z.string(), z.string()).optional(),
      randomSampling: z.union([z.boolean(), z.number().min(0).max(1)]).optional(),
      clientSampling: z.boolean().optional(),
    })
    .optional(),
  mcp: z.strictObject({ sessionTtl: duration.optional() }).optional(),
  backend: z
    .strictObject({
      connectTimeout: duration.optional(),
      poolIdleTimeout: duration.optional(),
      poolMaxSize: z.number().int().positive().optional(),
    })
    .optional(),
  listener: z.strictObject({ maxBufferSize: z.number().int().positive().optional() }).optional(),
  /** Beyond agentgateway: resource bounds (src/config/schema/limits.ts). */
  limits: limitsConfig.optional(),
  /** Beyond agentgateway: what readiness waits for, target probes (src/config/schema/readiness.ts). */
  readiness: readinessConfig.optional(),
});

/** The simplified top-level `mcp:` format (reference §2.5). */
export const mcpShorthand = z.strictObject({
  port: z.number().int().min(0).max(65535).optional(),
  ...mcpBackendOptions,
  policies: routePolicies.optional(),
});

export const rootConfig = z.strictObject({
  $schema: z.string().optional(),
  config: staticConfig.optional(),
  binds: z.array(bind).optional(),
  mcp: mcpShorthand.optional(),
});

export type RootConfig = z.infer<typeof rootConfig>;
export type StaticConfig = z.infer<typeof staticConfig>;
export type BindConfig = z.infer<typeof bind>;
export type ListenerConfig = z.infer<typeof listener>;
export type RouteConfig = z.infer<typeof route>;
export type RouteMatchConfig = z.infer<typeof routeMatch>;
