/**
 * Token-bucket arithmetic. A bucket starts full; every `intervalMs` it gains `tokensPerFill` tokens, up
 * to `maxTokens`. Refills are computed lazily from a monotonic clock when the bucket is read, so idle
 * buckets cost no timers. The fill clock starts when the bucket first drops below full.
 */

export interface BucketSpec {
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly intervalMs: number;
}

/** Mutable state of one bucket (one per route, or one per key). */
export interface BucketState {
  tokens: number;
  /** Clock reading (ms) the current fill interval started at. */
  last: number;
}

export function newBucket(spec: BucketSpec, now: number): BucketState {
  return { tokens: spec.maxTokens, last: now };
}

/** Bring `state` up to date at `now`. */
export function refill(spec: BucketSpec, state: BucketState, now: number): void {
  if (state.tokens >= spec.maxTokens) {
    state.tokens = spec.maxTokens;
    state.last = now;
    return;
  }
  const fills = Math.floor((now - state.last) / spec.intervalMs);
  if (fills <= 0) return;
  state.tokens = Math.min(spec.maxTokens, state.tokens + fills * spec.tokensPerFill);
  state.last = state.tokens >= spec.maxTokens ? now : state.last + fills * spec.intervalMs;
}

/** Whole seconds until the next fill adds tokens (0 when the bucket is full). */
export function secondsToNextFill(spec: BucketSpec, state: BucketState, now: number): number {
  if (state.tokens >= spec.maxTokens) return 0;
  const ms = state.last + spec.intervalMs - now;
  return Math.max(1, Math.ceil(ms / 1000));
}
