import { z } from 'zod';
import { serviceHost } from './service-target.js';

/**
 * `tcpRoutes` on a `TCP` or `TLS` listener (agentgateway `LocalTCPRoute`): weighted `host` backends.
 * On a TLS listener without `tls` the connection is passed through and routed by SNI (`hostnames`);
 * with `tls` it is terminated and the plaintext proxied.
 */
export const tcpBackend = z.strictObject({ host: serviceHost, weight: z.number().int().min(0).optional() });

export const tcpRoute = z.strictObject({
  name: z.string().optional(),
  ruleName: z.string().optional(),
  hostnames: z.array(z.string()).optional(),
  backends: z.array(tcpBackend).min(1),
});

/** Top-level `tcpRoutes:` of the current format, attached to TCP/TLS gateways like `routes:`. */
export const attachedTcpRoute = z.strictObject({
  ...tcpRoute.shape,
  gateways: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
});

export type TcpRouteConfig = z.infer<typeof tcpRoute>;
