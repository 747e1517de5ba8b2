/**
 * Optional Redis for state that every replica must share: per-identity rate-limit buckets (one atomic
 * Lua script per take) and ended session ids (a session DELETEd on one replica cannot be resumed on
 * another). Without Redis everything works on one replica. When Redis is unreachable, `failureMode`
 * decides: `open` lets the request through on local state, `closed` refuses it (503); both are logged
 * once per outage and counted (`portcullis_redis_errors_total`, `portcullis_redis_up`).
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface SharedStateOptions {
  readonly url: string;
  readonly failureMode: 'open' | 'closed';
  /** Prefix of every key, so several gateways can share one Redis. */
  readonly keyPrefix?: string;
  /** A command that takes longer counts as a failure. */
  readonly commandTimeoutMs?: number;
  readonly logger: Logger;
  readonly onError?: (op: string) => void;
  readonly onUp?: (up: boolean) => void;
}

export interface SharedBucket {
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly intervalMs: number;
}

export interface SharedTake {
  readonly allowed: boolean;
  readonly remaining: number;
  readonly resetSeconds: number;
}

/** The answer when Redis could not be asked: the caller applies the failure mode. */
export const UNAVAILABLE = Symbol('redis unavailable');

// Token buckets, same arithmetic as src/policies/rate-limit/bucket.ts, on Redis's clock so replicas agree.
// Every bucket of one policy is checked and, only when all allow, charged — atomically.
// KEYS: bucket hashes; ARGV: ttlMs, then maxTokens, tokensPerFill, intervalMs per key.
// Returns {allowed, then tokens and msToNextFill per key}.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
local n = #KEYS
local tokens = {}; local last = {}; local allowed = 1
for i = 1, n do
  local max = tonumber(ARGV[2 + (i - 1) * 3]); local per = tonumber(ARGV[3 + (i - 1) * 3])
  local interval = tonumber(ARGV[4 + (i - 1) * 3])
  local s = redis.call('HMGET', KEYS[i], 'tokens', 'last')
  local tk = tonumber(s[1]); local ls = tonumber(s[2])
  if tk == nil then tk = max; ls = now end
  if tk >= max then tk = max; ls = now
  else
    local fills = math.floor((now - ls) / interval)
    if fills > 0 then
      tk = math.min(max, tk + fills * per)
      if tk >= max then ls = now else ls = ls + fills * interval end
    end
  end
  if tk < 1 then allowed = 0 end
  tokens[i] = tk; last[i] = ls
end
local out = {allowed}
for i = 1, n do
  local max = tonumber(ARGV[2 + (i - 1) * 3]); local interval = tonumber(ARGV[4 + (i - 1) * 3])
  if allowed == 1 then tokens[i] = tokens[i] - 1 end
  redis.call('HSET', KEYS[i], 'tokens', tokens[i], 'last', last[i])
  redis.call('PEXPIRE', KEYS[i], ttl)
  local wait = 0
  if tokens[i] < max then wait = last[i] + interval - now end
  out[#out + 1] = tostring(tokens[i]); out[#out + 1] = wait
end
return out
`;

export class SharedState {
  readonly failureMode: 'open' | 'closed';
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #onError: (op: string) => void;
  readonly #onUp: (up: boolean) => void;
  #up = false;
  #everConnected = false;

  constructor(o: SharedStateOptions) {
    this.failureMode = o.failureMode;
    this.#prefix = o.keyPrefix ?? 'portcullis:';
    this.#logger = o.logger;
    this.#onError = o.onError ?? (() => {});
    this.#onUp = o.onUp ?? (() => {});
    this.#redis = new Redis(o.url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.commandTimeoutMs ?? 250,
      connectTimeout: 2000,
      // Reconnect forever with capped backoff; commands fail fast meanwhile (no offline queue).
      retryStrategy: (times) => Math.min(2000, 50 * 2 ** Math.min(times, 6)),
    });
    this.#redis.defineCommand('portcullisTake', { lua: TAKE });
    this.#redis.on('ready', () => this.#setUp(true));
    this.#redis.on('end', () => this.#setUp(false));
    this.#redis.on('error', (err: Error) => {
      if (this.#up || !this.#everConnected) this.#logger.warn({ err: err.message }, 'redis unavailable');
      this.#setUp(false);
    });
  }

  get up(): boolean {
    return this.#up;
  }

  #setUp(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    if (up) {
      this.#everConnected = true;
      this.#logger.info('redis connected');
    }
    this.#onUp(up);
  }

  /** Take one token from the shared bucket `name`; UNAVAILABLE when Redis cannot answer. */
  async take(name: string, b: SharedBucket): Promise<SharedTake | typeof UNAVAILABLE> {
    const r = await this.takeAll([name], [b]);
    return r === UNAVAILABLE ? r : { allowed: r.allowed, ...r.buckets[0]! };
  }

  /**
   * One token from every named bucket, atomically: all are charged only when all allow.
   * UNAVAILABLE when Redis cannot answer (the caller applies its failure mode).
   */
  async takeAll(
    names: readonly string[],
    specs: readonly SharedBucket[],
  ): Promise<
    { allowed: boolean; buckets: { remaining: number; resetSeconds: number }[] } | typeof UNAVAILABLE
  > {
    if (!this.#up) {
      this.#onError('take');
      return UNAVAILABLE;
    }
    try {
      const ttl = Math.max(
        60_000,
        ...specs.map((b) => b.intervalMs * Math.ceil(b.maxTokens / Math.max(1, b.tokensPerFill)) * 2),
      );
      const args: (string | number)[] = [ttl];
      for (const b of specs) args.push(b.maxTokens, b.tokensPerFill, b.intervalMs);
      const run = (
        this.#redis as unknown as { portcullisTake(n: number, ...a: (string | number)[]): Promise<unknown[]> }
      ).portcullisTake;
      const r = await run.call(
        this.#redis,
        names.length,
        ...names.map((n) => `${this.#prefix}rl:${n}`),
        ...args,
      );
      const buckets = names.map((_, i) => {
        const wait = Number(r[2 + i * 2]);
        return {
          remaining: Math.max(0, Math.floor(Number(r[1 + i * 2]))),
          resetSeconds: wait > 0 ? Math.max(1, Math.ceil(wait / 1000)) : 0,
        };
      });
      return { allowed: r[0] === 1, buckets };
    } catch (err) {
      this.#onError('take');
      this.#logger.debug({ err: (err as Error).message }, 'redis rate-limit take failed');
      return UNAVAILABLE;
    }
  }

  /** Mark a session id as ended for `ttlMs` (its longest possible remaining life). */
  async endSession(digest: string, ttlMs: number): Promise<boolean> {
    if (!this.#up) {
      this.#onError('endSession');
      return false;
    }
    try {
      await this.#redis.set(`${this.#prefix}ended:${digest}`, '1', 'PX', Math.max(1000, Math.round(ttlMs)));
      return true;
    } catch {
      this.#onError('endSession');
      return false;
    }
  }

  /** Whether a session id was ended on some replica; UNAVAILABLE when Redis cannot answer. */
  async isEnded(digest: string): Promise<boolean | typeof UNAVAILABLE> {
    if (!this.#up) {
      this.#onError('isEnded');
      return UNAVAILABLE;
    }
    try {
      return (await this.#redis.exists(`${this.#prefix}ended:${digest}`)) === 1;
    } catch {
      this.#onError('isEnded');
      return UNAVAILABLE;
    }
  }

  async close(): Promise<void> {
    this.#redis.disconnect(false);
  }
}
