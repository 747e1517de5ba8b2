import { z } from 'zod';

/**
 * The address of a policy's service (extAuthz, remoteRateLimit, requestMirror): agentgateway's
 * `{host: "hostname:port"}` form. `service:` and `backend:` references need the top-level `services`
 * and `backends` lists, which Portcullis does not implement.
 */
export const serviceHost = z.string().regex(/^(\[[^\]]+\]|[^:/[\]]+):\d{1,5}$/, 'expected "hostname:port"');
