import type { Logger } from 'pino';
import type { McpTelemetry } from '../telemetry/hooks.js';
import type { McpLimits } from './session/limits.js';
import type { StreamBound } from './protocol/sse-stream.js';
import type { SessionStore } from './session/session-store.js';
import type { StatelessPool } from './session/shared-connections.js';
import type { RuntimeMcpBackend } from './backend.js';

/** What the transport handlers share: the service's owned state and collaborators. */
export interface McpEnv {
  readonly logger: Logger;
  readonly telemetry: McpTelemetry;
  readonly sessions: SessionStore;
  readonly version: string;
  readonly limits: McpLimits;
  /** The bound for a new client stream (`limits.streamBufferBytes`, cut-offs counted). */
  streamBound(): StreamBound;
  pool(backend: RuntimeMcpBackend): StatelessPool;
}

export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

export function bodyLimit(backend: RuntimeMcpBackend): number {
  return backend.maxBodyBytes > 0 ? backend.maxBodyBytes : DEFAULT_MAX_BODY_BYTES;
}
