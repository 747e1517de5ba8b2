import type { Logger } from 'pino';
import type { NormalizedTarget } from '../../config/types.js';
import type { McpTelemetry } from '../../telemetry/hooks.js';
import type { McpLimits } from '../session/limits.js';
import type { ConnEvents } from './target-connection.js';
import { TargetConn } from './target-connection.js';
import { lazyChild } from '../session/lazy-logger.js';
import type { RuntimeMcpBackend, UpstreamFactory } from '../backend.js';

export interface ConnDeps {
  readonly upstreams: UpstreamFactory;
  readonly telemetry: McpTelemetry;
  readonly limits: McpLimits;
}

/**
 * Creates one (not yet started) connection to `target` for a session or a stateless pool. A stdio target
 * first takes a place under `limits.stdioChildrenPerTarget` (throws STDIO_CHILD_LIMIT when none is free);
 * the place is given back once the connection is closed and its process is gone.
 */
export function openConn(
  backend: RuntimeMcpBackend,
  target: NormalizedTarget,
  events: ConnEvents,
  logger: Logger,
  deps: ConnDeps,
): TargetConn {
  const release = target.kind === 'stdio' ? deps.limits.admitChild(backend.key, target.name) : undefined;
  try {
    const upstream = deps.upstreams.create(target, {
      logger: lazyChild(logger, { target: target.name }),
      tls: backend.backendTls,
    });
    return new TargetConn(target, upstream, events, logger, deps.telemetry, release);
  } catch (e) {
    release?.();
    throw e;
  }
}
