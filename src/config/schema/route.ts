/** Routes and listeners, shared by the `binds:` and the `gateways:` formats. */
import { z } from 'zod';
import { tcpRoute } from './tcp-routes.js';
import { backend } from './backends.js';
import { routePolicies } from './policies.js';

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
  /** agentgateway: part of the route's name in Kubernetes; a standalone config has one namespace. */
  namespace: z.string().optional(),
  hostnames: z.array(z.string()).optional(),
  matches: z.array(routeMatch).optional(),
  policies: routePolicies.optional(),
  backends: z.array(backend).optional(),
});

export const listenerProtocol = z.enum(['HTTP', 'HTTPS', 'TCP', 'TLS']);

export const listenerTls = z.strictObject({ cert: z.string().min(1), key: z.string().min(1) });

export const listener = z.strictObject({
  name: z.string().optional(),
  gatewayName: z.string().optional(),
  hostname: z.string().optional(),
  protocol: listenerProtocol.optional(),
  tls: listenerTls.optional(),
  routes: z.array(route).optional(),
  tcpRoutes: z.array(tcpRoute).optional(),
  /** Gateway-phase policies for every route of the listener (agentgateway's listener `policies`). */
  policies: routePolicies.optional(),
});
