/** `PORTCULLIS_REDIS_URL` / `PORTCULLIS_REDIS_FAILURE_MODE` → the shared state, or undefined (docs/deploy.md). */
import type { Logger } from 'pino';
import { SharedState } from './shared-state.js';

export interface RedisMetrics {
  redisError(op: string): void;
  redisUp(up: boolean): void;
}

export function sharedStateFrom(
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  metrics: RedisMetrics,
): SharedState | undefined {
  const url = env['PORTCULLIS_REDIS_URL'];
  if (!url) return undefined;
  const mode = env['PORTCULLIS_REDIS_FAILURE_MODE'] ?? 'open';
  if (mode !== 'open' && mode !== 'closed')
    throw new Error(`PORTCULLIS_REDIS_FAILURE_MODE must be "open" or "closed", got "${mode}"`);
  if (!/^rediss?:\/\//.test(url))
    throw new Error('PORTCULLIS_REDIS_URL must start with redis:// or rediss://');
  return new SharedState({
    url,
    failureMode: mode,
    logger: logger.child({ component: 'redis' }),
    onError: (op) => metrics.redisError(op),
    onUp: (up) => metrics.redisUp(up),
  });
}
