/**
 * `delay` policy (fault injection, agentgateway's format): hold the request before it goes to the
 * backend. `duration` is a Go duration (`2s`) or a CEL expression evaluated per request that yields a
 * duration (`duration("500ms")`) or a number of milliseconds (`random() < 0.1 ? 500 : 0`); a result that
 * is not positive, not a number or fails to evaluate injects nothing. The wait counts against the
 * route's `requestTimeout` and ends when the request is aborted (src/server/pipeline.ts).
 */
import { buildBaseActivation, compileCelExpression } from '../../cel/index.js';
import { parseDurationMs } from '../../config/duration.js';
import type { DelayConfig } from '../../config/schema/policies.js';
import type { ConfigPath } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestContext } from '../../contracts/request-context.js';
import type { CompiledDelay } from '../types.js';

/** Largest delay node's timers accept (2^31-1 ms); a larger result waits this long. */
const MAX_TIMER_MS = 2_147_483_647;

/** A CEL result as milliseconds: a duration value, or a number of ms; anything else is 0. */
export function delayResultMs(v: unknown): number {
  let ms = 0;
  if (typeof v === 'number') ms = v;
  else if (typeof v === 'bigint') ms = Number(v);
  else if (v && typeof v === 'object' && 'seconds' in v && 'nanos' in v) {
    const d = v as { seconds: number | bigint; nanos: number | bigint };
    ms = Number(d.seconds) * 1000 + Number(d.nanos) / 1e6;
  }
  return Number.isFinite(ms) && ms > 0 ? Math.min(Math.round(ms), MAX_TIMER_MS) : 0;
}

export function compileDelay(cfg: DelayConfig, ctx: BuildContext, at: ConfigPath): CompiledDelay {
  const fixed = parseDurationMs(cfg.duration);
  if (fixed !== undefined) {
    const ms = Math.min(fixed, MAX_TIMER_MS);
    return { delayMs: () => ms };
  }
  const expr = compileCelExpression(cfg.duration, ctx, [...at, 'duration'], {
    variables: 'http',
    expect: 'any',
  });
  return {
    delayMs(rc: RequestContext): number {
      try {
        return delayResultMs(
          expr(buildBaseActivation({ identity: rc.identity, request: rc.request, source: rc.source })),
        );
      } catch {
        return 0;
      }
    },
  };
}
