/**
 * agentgateway's current standalone format: named `gateways:` (a port each, optionally several
 * listeners), top-level `routes:` attached to gateways by reference, named top-level `backends:`
 * referenced as `{backend: name}`, and `frontendPolicies:`. normalize-gateways.ts turns it into the
 * same binds/listeners/routes model as the `binds:` format. Gateway- and listener-level policies reuse
 * `routePolicies`, so a policy added there is accepted at every level.
 */
import { z } from 'zod';
import { mcpBackend } from './backends.js';
import { celExpr } from './common.js';
import { frontendTracing } from './tracing.js';
import { routePolicies, rules } from './policies.js';
import { listenerProtocol, listenerTls, route } from './route.js';

/** `gateways: default` or `gateways: [default, other/listenerName]`. */
export const gatewayRefs = z.union([z.string().min(1), z.array(z.string().min(1))]);

export const gatewayListener = z.strictObject({
  name: z.string().min(1).optional(),
  hostname: z.string().optional(),
  protocol: listenerProtocol.optional(),
  tls: listenerTls.optional(),
  ...routePolicies.shape,
});

export const gateway = z.strictObject({
  port: z.number().int().min(0).max(65535),
  protocol: listenerProtocol.optional(),
  tls: listenerTls.optional(),
  listeners: z.array(gatewayListener).optional(),
  ...routePolicies.shape,
});

export const attachedRoute = z.strictObject({
  ...route.shape,
  gateways: gatewayRefs.optional(),
});

/** A top-level named backend, referenced from a route as `{backend: <name>}`. */
export const namedBackend = z.union([
  z.strictObject({ name: z.string().min(1), policies: routePolicies.optional(), mcp: mcpBackend }),
  z.strictObject({ name: z.string().min(1), policies: routePolicies.optional(), host: z.string().min(1) }),
]);

/** `frontendPolicies.accessLog` / `.logging`: the access log's filter and extra fields (CEL). */
export const loggingPolicy = z.strictObject({
  filter: celExpr.optional(),
  add: z.record(z.string(), celExpr).optional(),
  remove: z.array(z.string()).optional(),
});

export const frontendPolicies = z.strictObject({
  accessLog: loggingPolicy.optional(),
  logging: loggingPolicy.optional(),
  tracing: frontendTracing.optional(),
  /** CEL rules over `source.*`, checked for every connection's requests on every gateway and bind. */
  networkAuthorization: rules.optional(),
});

export type GatewayConfig = z.infer<typeof gateway>;
export type GatewayListenerConfig = z.infer<typeof gatewayListener>;
export type AttachedRouteConfig = z.infer<typeof attachedRoute>;
export type FrontendPoliciesConfig = z.infer<typeof frontendPolicies>;
export type NamedBackendConfig = z.infer<typeof namedBackend>;
