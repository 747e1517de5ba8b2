import { z } from 'zod';
import { parseDurationMs } from '../duration.js';
import { celExpr, duration } from './common.js';
import { serviceHost } from './service-target.js';

/** `extAuthz` (agentgateway `ExtAuthz`): Envoy ext_authz v3 over gRPC, or its HTTP mode. */
const grpcProtocol = z.strictObject({
  grpc: z.strictObject({
    /** Static `context_extensions` sent with every check. */
    context: z.record(z.string(), z.string()).nullable().optional(),
    /** `metadata_context.filter_metadata`: namespace → CEL value. */
    metadata: z.record(z.string(), celExpr).nullable().optional(),
  }),
});
/** The fields of the HTTP mode (`protocol.http`). */
export const extAuthzHttp = z.strictObject({
  /** CEL computing the check request's path (default: the request's own path). */
  path: celExpr.nullable().optional(),
  /** CEL computing a redirect URL answered (302) instead of a 401/403 denial. */
  redirect: celExpr.nullable().optional(),
  /** Authorization-service response headers copied onto the upstream request when allowed. */
  includeResponseHeaders: z.array(z.string().min(1)).optional(),
  /** Headers added to the check request, values computed by CEL. */
  addRequestHeaders: z.record(z.string(), celExpr).optional(),
});
const httpProtocol = z.strictObject({ http: extAuthzHttp });

export const extAuthz = z
  .strictObject({
    /** The service's `hostname:port`. */
    host: serviceHost.optional(),
    /** Or the name of a top-level `backends` entry with a `host` (resolved at load). */
    backend: z.string().min(1).optional(),
    protocol: z.union([grpcProtocol, httpProtocol]).optional(),
    failureMode: z
      .union([
        z.enum(['allow', 'deny']),
        z.strictObject({ denyWithStatus: z.number().int().min(100).max(599) }),
      ])
      .optional(),
    /** Request headers sent to the service; unset = all (gRPC) or only `authorization` (HTTP). */
    includeRequestHeaders: z.array(z.string().min(1)).optional(),
    /** Send the request body with the check (on MCP routes: the JSON-RPC message). */
    includeRequestBody: z
      .strictObject({
        /** Most body bytes sent to the service (default 8192). */
        maxRequestBytes: z.number().int().min(0).max(4294967295).optional(),
        /** Send the first `maxRequestBytes` of a longer body instead of answering 413. */
        allowPartialMessage: z.boolean().optional(),
        /** gRPC: send the body as bytes (`raw_body`) instead of UTF-8 text (`body`). */
        packAsBytes: z.boolean().optional(),
      })
      .nullable()
      .optional(),
    /** Decisions remembered per key (agentgateway `CacheConfig`). */
    cache: z
      .strictObject({
        /** CEL values that together make the cache key; they must capture what the service decides on. */
        key: z.array(celExpr),
        /** How long a decision is reused: a duration (agentgateway's CEL form is not supported yet). */
        ttl: z.string().refine((t) => parseDurationMs(t) !== undefined, {
          message: 'not supported yet: a CEL ttl (write a duration such as "30s")',
        }),
        /** Most keys kept (default 10000; 0 = default). */
        maxEntries: z.number().int().min(0).optional(),
      })
      .nullable()
      .optional(),
    /** Beyond agentgateway's schema (which takes it from the backend's policies): the check deadline, default 2s. */
    timeout: duration.optional(),
  })
  .refine((c) => (c.host === undefined) !== (c.backend === undefined), {
    message: 'set exactly one of `host` and `backend`',
  });

export type ExtAuthzConfig = z.infer<typeof extAuthz>;
