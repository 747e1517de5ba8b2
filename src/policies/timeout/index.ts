/**
 * `timeout` policy: `requestTimeout` bounds the whole request, `backendRequestTimeout`
 * each upstream call. The pipeline turns them into an abort of `ctx.signal` and 504 `request timeout`
 * (a JSON-RPC error on MCP routes). A zero duration disables that timeout (Envoy / Gateway API meaning).
 */
import type { ConfigPath } from '../../config/types.js';
import type { TimeoutConfig } from '../../config/schema/policies.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { CompiledTimeout } from '../types.js';
import { parseDurationMs } from '../../config/duration.js';

/** Largest delay node's timers accept (2^31-1 ms, ~24.8 days); larger values would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

export function compileTimeout(cfg: TimeoutConfig, ctx: BuildContext, at: ConfigPath): CompiledTimeout {
  const toMs = (field: 'requestTimeout' | 'backendRequestTimeout'): number | undefined => {
    const text = cfg[field];
    if (text === undefined) return undefined;
    const ms = parseDurationMs(text);
    if (ms === undefined) throw ctx.error([...at, field], `invalid duration "${text}"`);
    if (ms > MAX_TIMER_MS) throw ctx.error([...at, field], `${field} must be at most 24 days`);
    return ms === 0 ? undefined : ms;
  };
  const requestTimeoutMs = toMs('requestTimeout');
  const backendRequestTimeoutMs = toMs('backendRequestTimeout');
  if (
    requestTimeoutMs !== undefined &&
    backendRequestTimeoutMs !== undefined &&
    backendRequestTimeoutMs > requestTimeoutMs
  ) {
    ctx.warn(
      [...at, 'backendRequestTimeout'],
      'backendRequestTimeout is longer than requestTimeout; the request timeout fires first',
    );
  }
  return Object.freeze({ requestTimeoutMs, backendRequestTimeoutMs });
}
