/**
 * `retry` (agentgateway `RetryPolicy`): `attempts` in total (default 1), a fixed `backoff` between
 * them, retried on the listed upstream `codes` and on connection failures and timeouts. `precondition`
 * (CEL over the request) false disables retries for that request.
 *
 * MCP: a JSON-RPC request is retried only when its method is safe to repeat (initialize, ping, lists,
 * reads — src/policies/retry/idempotent.ts); `tools/call` and other non-idempotent calls are tried once
 * unless `retryNonIdempotent: true`. `host` backends replay the buffered request body
 * (src/server/traffic-forward.ts); `mcp` backends send the JSON-RPC request to the same target again when
 * the upstream failed to answer it (src/mcp/connection/target-connection.ts).
 */
import type { RetryConfig } from '../../config/schema/retry.js';
import { parseDurationMs } from '../../config/duration.js';
import type { ConfigPath } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';
import { buildBaseActivation, compileCelExpression, evaluateBool } from '../../cel/index.js';
import type { CompiledRetry } from '../types.js';
import { isSafeMcpMethod, mcpIdempotency } from './idempotent.js';

export function compileRetry(cfg: RetryConfig, ctx: BuildContext, at: ConfigPath): CompiledRetry {
  const attempts = cfg.attempts ?? 1;
  const codes = new Set(cfg.codes);
  const backoffMs = (cfg.backoff ? parseDurationMs(cfg.backoff) : undefined) ?? 0;
  const precondition = cfg.precondition
    ? compileCelExpression(cfg.precondition, ctx, [...at, 'precondition'], {
        variables: 'http',
        expect: 'bool',
      })
    : undefined;
  const unsafeToo = cfg.retryNonIdempotent === true;
  if (attempts === 1) ctx.warn([...at, 'attempts'], 'attempts is 1: nothing is retried');
  return {
    backoffMs,
    retryableStatus: (status) => codes.has(status),
    attemptsFor: function retry(rc, body) {
      if (attempts === 1) return 1;
      if (precondition) {
        const a = buildBaseActivation({ identity: rc.identity, request: rc.request, source: rc.source });
        if (!evaluateBool(precondition, a).value) return 1;
      }
      if (!unsafeToo && mcpIdempotency(body) === 'unsafe') return 1;
      return attempts;
    },
    attemptsForMcp: function retryMcp(rc, method) {
      if (attempts === 1) return 1;
      if (precondition) {
        const a = buildBaseActivation({ identity: rc.identity, request: rc.request, source: rc.source });
        if (!evaluateBool(precondition, a).value) return 1;
      }
      if (!unsafeToo && !isSafeMcpMethod(method)) return 1;
      return attempts;
    },
  };
}
