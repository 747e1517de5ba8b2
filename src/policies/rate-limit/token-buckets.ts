/**
 * agentgateway's `type: tokens` buckets count LLM tokens, taken from LLM responses. Portcullis has no
 * LLM backends, so on its routes (as on agentgateway's non-LLM routes) such a bucket never takes a
 * token and never limits: it loads with a warning and is left out. In the conditional form an entry
 * that matches must still mean "no limit", so there `tokens` stays refused.
 */
import type { LocalRateLimitConfig } from '../../config/schema/policies.js';
import type { ConfigPath } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';

const NEVER_LIMITS =
  'type tokens counts LLM tokens from LLM responses; this route has no LLM backend, so this bucket never limits (ignored)';

/** The config without its `tokens` buckets (warned about); undefined when none is left. */
export function withoutTokenBuckets(
  cfg: LocalRateLimitConfig,
  ctx: BuildContext,
  at: ConfigPath,
): LocalRateLimitConfig | undefined {
  if ('conditional' in cfg) {
    cfg.conditional.forEach((e, i) => {
      if (e.type === 'tokens')
        throw ctx.error(
          [...at, 'conditional', i, 'type'],
          'not supported yet: tokens (rate limit type) in a conditional localRateLimit',
        );
    });
    return cfg;
  }
  const kept = cfg.filter((b, i) => {
    if (b.type !== 'tokens') return true;
    ctx.warn([...at, i, 'type'], NEVER_LIMITS);
    return false;
  });
  return kept.length > 0 ? kept : undefined;
}
