import { z } from 'zod';

/**
 * The address of a policy's service (extAuthz, remoteRateLimit, requestMirror): agentgateway's
 * `{host: "hostname:port"}` form. extAuthz and requestMirror also take `backend: <name>` of a top-level
 * `backends` entry with a `host` (resolved by src/config/normalize-service-ref.ts); `service:` references
 * need the top-level `services` list, which Portcullis does not implement.
 */
export const serviceHost = z.string().regex(/^(\[[^\]]+\]|[^:/[\]]+):\d{1,5}$/, 'expected "hostname:port"');
