import { z } from 'zod';
import { duration } from './common.js';

/**
 * `config.limits` — Portcullis's resource bounds (beyond agentgateway, which has no such section).
 * Every field has a default in `src/config/normalize-limits.ts` and is listed with its metric in
 * docs/security.md. Applied at start-up and on reload.
 */
export const limitsConfig = z.strictObject({
  /** Time a client has to send the complete request head (line + headers). */
  requestHeaderTimeout: duration.optional(),
  /** Time a client has to send the complete request body once the head has arrived. */
  requestBodyTimeout: duration.optional(),
  /** Concurrent client connections per bind. */
  connectionsPerBind: z.number().int().positive().optional(),
  /** MCP sessions open at once, over all routes. */
  sessions: z.number().int().positive().optional(),
  /** MCP sessions per identity (anonymous callers are keyed by source address). */
  sessionsPerIdentity: z.number().int().positive().optional(),
  /** A session with no open stream and no request for this long is closed (its stdio children reaped). */
  sessionIdleTimeout: duration.optional(),
  /** A sealed session id older than this is not continued on another replica or worker (404; re-initialize). */
  sessionMaxLifetime: duration.optional(),
  /** stdio child processes per target, over all sessions. */
  stdioChildrenPerTarget: z.number().int().positive().optional(),
  /** JSON-RPC requests in flight per session (or per stateless caller). */
  pendingRequestsPerSession: z.number().int().positive().optional(),
  /** Bytes queued toward one slow client stream before the gateway cuts it off. */
  streamBufferBytes: z.number().int().positive().optional(),
  /** requestMirror: mirrored requests in flight at once, over all routes; more are dropped (counted). */
  mirrorRequestsInFlight: z.number().int().positive().optional(),
  /** requestMirror: body bytes held by mirrored requests in flight; more are dropped (counted). */
  mirrorBytesInFlight: z.number().int().positive().optional(),
  /** requestMirror: a mirrored request still unanswered after this long is abandoned. */
  mirrorTimeout: duration.optional(),
  /**
   * Request (or response) body buffered for retry, requestMirror, body transformations and extAuthz
   * includeRequestBody (MCP routes included); larger → 413.
   */
  bufferedBodyBytes: z.number().int().positive().optional(),
  /** tcpRoutes: a connection with no bytes in either direction for this long is closed. */
  tcpIdleTimeout: duration.optional(),
  /** OpenAPI `schema: {url}`: largest document fetched; a larger one fails the target. */
  openapiSchemaBytes: z.number().int().positive().optional(),
  /** OpenAPI `schema: {url}`: the whole fetch (connect, headers, body) must end within this. */
  openapiSchemaTimeout: duration.optional(),
});

export type LimitsConfig = z.infer<typeof limitsConfig>;
