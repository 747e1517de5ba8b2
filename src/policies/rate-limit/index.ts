/**
 * `localRateLimit`: a list of token buckets that must all allow a request. Without
 * `key` a bucket is shared by every caller of the route (agentgateway). With `key` — a CEL expression
 * over `jwt`, `request`, `source`, e.g. `jwt.sub` — each distinct value gets its own bucket, so two
 * identities never starve each other. A key that fails to evaluate, is null or is empty falls into one
 * shared `anonymous` bucket per route. Keyed buckets live in an LRU (default 100 000 keys per bucket):
 * an evicted key starts again with a full bucket, which bounds memory at the cost of forgetting the
 * least recently seen callers; keys longer than 64 characters are stored as their SHA-256 digest.
 * State is per compiled policy, so a config reload starts all buckets full.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ConfigPath } from '../../config/types.js';
import type { LocalRateLimitBucketConfig, LocalRateLimitConfig } from '../../config/schema/policies.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestContext } from '../../contracts/request-context.js';
import {
  buildBaseActivation,
  compileCelExpression,
  evaluateBool,
  type CelActivation,
  type CompiledCel,
} from '../../cel/index.js';
import type { CompiledRateLimit, RateLimitResult } from '../types.js';
import { parseDurationMs } from '../../config/duration.js';
import { newBucket, refill, secondsToNextFill, type BucketSpec, type BucketState } from './bucket.js';
import { UNAVAILABLE, type SharedState } from '../../redis/shared-state.js';

export { writeRateLimitHeaders } from './headers.js';

export interface RateLimitOptions {
  /** Buckets shared by every replica (Redis); without it, buckets live in this process. */
  readonly shared?: SharedState;
  /** Stable name of this policy across replicas (its config path), the Redis key prefix of its buckets. */
  readonly name?: string;
  /** Monotonic clock in milliseconds (tests inject one). Default `performance.now()`. */
  readonly now?: () => number;
  /** Most keys remembered per keyed bucket. Default 100 000. */
  readonly maxKeys?: number;
}

const DEFAULT_MAX_KEYS = 100_000;

interface CompiledBucket extends BucketSpec {
  readonly key: CompiledCel | undefined;
  /** The route-wide bucket (no key), or the `anonymous` bucket of a keyed one. */
  readonly shared: BucketState;
  readonly keyed: LRUCache<string, BucketState> | undefined;
}

/** Keys longer than this are stored as a SHA-256 digest, so 100 000 keys stay small whatever callers send. */
const MAX_PLAIN_KEY = 64;

/** A CEL key value as a bucket name; undefined → the anonymous bucket. */
export function keyString(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s =
    typeof value === 'string'
      ? value
      : typeof value === 'object'
        ? JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
        : String(value);
  if (s === '') return undefined;
  return s.length > MAX_PLAIN_KEY ? `sha256:${createHash('sha256').update(s).digest('base64url')}` : s;
}

class LocalRateLimitPolicy implements CompiledRateLimit {
  readonly #buckets: readonly CompiledBucket[];
  readonly #now: () => number;
  readonly #keyed: boolean;
  readonly #shared: SharedState | undefined;
  readonly #name: string;
  constructor(
    buckets: readonly CompiledBucket[],
    now: () => number,
    shared: SharedState | undefined,
    name: string,
  ) {
    this.#buckets = buckets;
    this.#now = now;
    this.#keyed = buckets.some((b) => b.key !== undefined);
    this.#shared = shared;
    this.#name = name;
  }

  take(ctx: RequestContext): RateLimitResult | Promise<RateLimitResult> {
    const activation = this.#keyed
      ? buildBaseActivation({ identity: ctx.identity, request: ctx.request, source: ctx.source })
      : undefined;
    if (this.#shared) return this.#takeShared(this.#shared, activation);
    return this.#takeLocal(activation);
  }

  /** Every bucket in Redis, charged atomically; Redis down → this process's buckets (open) or 503 (closed). */
  async #takeShared(shared: SharedState, activation: CelActivation | undefined): Promise<RateLimitResult> {
    const names = this.#buckets.map((b, i) => `${this.#name}/${i}/${this.#keyName(b, activation) ?? '*'}`);
    const r = await shared.takeAll(names, this.#buckets);
    if (r === UNAVAILABLE) {
      if (shared.failureMode === 'closed')
        return { allowed: false, limit: 0, remaining: 0, resetSeconds: 1, unavailable: true };
      return this.#takeLocal(activation);
    }
    // The bucket that binds, as for local buckets: on denial the longest wait, else the fewest tokens.
    let pick = 0;
    for (let i = 1; i < r.buckets.length; i++) {
      const a = r.buckets[i]!;
      const p = r.buckets[pick]!;
      if (
        r.allowed
          ? a.remaining < p.remaining
          : a.remaining < 1 && (p.remaining >= 1 || a.resetSeconds > p.resetSeconds)
      )
        pick = i;
    }
    const b = r.buckets[pick]!;
    return {
      allowed: r.allowed,
      limit: this.#buckets[pick]!.maxTokens,
      remaining: b.remaining,
      resetSeconds: b.resetSeconds,
    };
  }

  #takeLocal(activation: CelActivation | undefined): RateLimitResult {
    const now = this.#now();
    const states = this.#buckets.map((b) => {
      const s = this.#stateFor(b, activation, now);
      refill(b, s, now);
      return s;
    });
    const allowed = states.every((s) => s.tokens >= 1);
    if (allowed) for (const s of states) s.tokens -= 1;

    // Report the bucket that binds: on denial the one that takes longest to allow again (Retry-After
    // must cover every bucket), otherwise the one with the fewest tokens left.
    let pick = 0;
    for (let i = 1; i < states.length; i++) {
      const a = states[i]!;
      const p = states[pick]!;
      const better = allowed
        ? a.tokens < p.tokens
        : a.tokens < 1 &&
          (p.tokens >= 1 ||
            secondsToNextFill(this.#buckets[i]!, a, now) > secondsToNextFill(this.#buckets[pick]!, p, now));
      if (better) pick = i;
    }
    const b = this.#buckets[pick]!;
    const s = states[pick]!;
    return {
      allowed,
      limit: b.maxTokens,
      remaining: Math.max(0, Math.floor(s.tokens)),
      resetSeconds: secondsToNextFill(b, s, now),
    };
  }

  /** The caller's bucket name for a keyed bucket; undefined → the shared (anonymous) bucket. */
  #keyName(b: CompiledBucket, activation: CelActivation | undefined): string | undefined {
    if (b.key === undefined || activation === undefined) return undefined;
    try {
      return keyString(b.key(activation));
    } catch {
      return undefined; // e.g. `jwt.sub` without a token: the anonymous bucket
    }
  }

  #stateFor(b: CompiledBucket, activation: CelActivation | undefined, now: number): BucketState {
    if (b.keyed === undefined) return b.shared;
    const name = this.#keyName(b, activation);
    if (name === undefined) return b.shared;
    let s = b.keyed.get(name);
    if (s === undefined) {
      s = newBucket(b, now);
      b.keyed.set(name, s);
    }
    return s;
  }
}

/**
 * agentgateway's conditional form: each entry is a bucket with an optional CEL `condition`; the first
 * entry whose condition holds (an entry without one always does) limits the request; none → no limit.
 */
class ConditionalRateLimitPolicy implements CompiledRateLimit {
  constructor(
    readonly entries: readonly { condition: CompiledCel | undefined; policy: CompiledRateLimit }[],
  ) {}
  take(ctx: RequestContext): RateLimitResult | undefined | Promise<RateLimitResult | undefined> {
    const act = buildBaseActivation({ identity: ctx.identity, request: ctx.request, source: ctx.source });
    const hit = this.entries.find((e) => !e.condition || evaluateBool(e.condition, act).value);
    return hit?.policy.take(ctx);
  }
}

/** The plain list always limits (its `take` always has a result). */
export function compileLocalRateLimit(
  cfg: readonly LocalRateLimitBucketConfig[],
  ctx: BuildContext,
  at: ConfigPath,
  opts?: RateLimitOptions,
): { take(ctx: RequestContext): RateLimitResult };
export function compileLocalRateLimit(
  cfg: LocalRateLimitConfig,
  ctx: BuildContext,
  at: ConfigPath,
  opts?: RateLimitOptions,
): CompiledRateLimit;
export function compileLocalRateLimit(
  cfg: LocalRateLimitConfig | readonly LocalRateLimitBucketConfig[],
  ctx: BuildContext,
  at: ConfigPath,
  opts: RateLimitOptions = {},
): CompiledRateLimit {
  if ('conditional' in cfg) {
    return new ConditionalRateLimitPolicy(
      cfg.conditional.map(({ condition, ...bucket }, i) => {
        const eat: ConfigPath = [...at, 'conditional', i];
        return {
          condition:
            condition === undefined
              ? undefined
              : compileCelExpression(condition, ctx, [...eat, 'condition'], {
                  variables: 'http',
                  expect: 'bool',
                }),
          policy: compileBuckets([bucket], ctx, eat, opts, true),
        };
      }),
    );
  }
  return compileBuckets(cfg, ctx, at, opts, false);
}

function compileBuckets(
  cfg: readonly LocalRateLimitBucketConfig[],
  ctx: BuildContext,
  at: ConfigPath,
  opts: RateLimitOptions,
  single: boolean,
): LocalRateLimitPolicy {
  const now = opts.now ?? (() => performance.now());
  const start = now();
  const buckets = cfg.map((c, i): CompiledBucket => {
    const bat: ConfigPath = single ? at : [...at, i];
    const intervalMs = parseDurationMs(c.fillInterval);
    if (intervalMs === undefined)
      throw ctx.error([...bat, 'fillInterval'], `invalid duration "${c.fillInterval}"`);
    if (intervalMs <= 0) throw ctx.error([...bat, 'fillInterval'], 'fillInterval must be greater than 0');
    const spec: BucketSpec = {
      maxTokens: c.maxTokens,
      tokensPerFill: c.tokensPerFill ?? c.maxTokens,
      intervalMs,
    };
    const key =
      c.key === undefined
        ? undefined
        : compileCelExpression(c.key, ctx, [...bat, 'key'], { variables: 'http', expect: 'any' });
    return {
      ...spec,
      key,
      shared: newBucket(spec, start),
      keyed:
        key === undefined
          ? undefined
          : new LRUCache<string, BucketState>({ max: opts.maxKeys ?? DEFAULT_MAX_KEYS }),
    };
  });
  return new LocalRateLimitPolicy(buckets, now, opts.shared, opts.name ?? at.join('.'));
}
