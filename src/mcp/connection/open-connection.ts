import type { Logger } from 'pino';
import type { NormalizedTarget } from '../../config/types.js';
import type { McpTelemetry } from '../../telemetry/hooks.js';
import type { McpLimits } from '../session/limits.js';
import type { ConnEvents } from './target-connection.js';
import { TargetConn } from './target-connection.js';
import { lazyChild } from '../session/lazy-logger.js';
import type { RuntimeMcpBackend, UpstreamFactory } from '../backend.js';
import type { CompiledBackendAuth } from '../../policies/types.js';

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
/**
 * A target's own backendAuth replaces the route's on every request to it: the route's credential
 * headers are removed (they are not for this target), the target's fixed key is set.
 */
function ownAuth(
  own: CompiledBackendAuth,
  route: CompiledBackendAuth | undefined,
): (h: Readonly<Record<string, string>>) => Record<string, string> {
  const headers = own.headersFor(null);
  const drop = route?.headerNames ?? [];
  return (h) => {
    const out = { ...h };
    for (const n of drop) delete out[n];
    return Object.assign(out, headers);
  };
}

export function openConn(
  backend: RuntimeMcpBackend,
  target: NormalizedTarget,
  events: ConnEvents,
  logger: Logger,
  deps: ConnDeps,
): TargetConn {
  const release = target.kind === 'stdio' ? deps.limits.admitChild(backend.key, target.name) : undefined;
  try {
    const own = backend.targetPolicies.get(target.name);
    const upstream = deps.upstreams.create(target, {
      logger: lazyChild(logger, { target: target.name }),
      tls: own?.backendTls ?? backend.backendTls,
    });
    const rewrite = own?.backendAuth ? ownAuth(own.backendAuth, backend.backendAuth) : undefined;
    return new TargetConn(target, upstream, events, logger, deps.telemetry, release, rewrite);
  } catch (e) {
    release?.();
    throw e;
  }
}
