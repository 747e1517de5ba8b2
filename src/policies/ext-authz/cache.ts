/**
 * extAuthz `cache` (agentgateway's `CacheConfig`): the service's decision is remembered under a key made
 * of CEL values (`key`, evaluated over the request), for `ttl`, at most `maxEntries` keys (default 10 000;
 * the least recently stored goes first). As in agentgateway:
 * - no key expressions, or a key expression that fails or gives a value other than null, bool, int, uint,
 *   double, string or bytes: no caching for that request;
 * - allowed and denied answers are cached (HTTP mode: allows and 401/403 denials), failures never;
 * - in the last tenth of the ttl (at most 5 s) one request asks the service again to refresh the entry
 *   while the others still get the cached answer.
 * `ttl` is a duration; agentgateway's CEL form (a ttl computed from the answer) is not supported yet.
 * Safety depends on the key: it must capture everything the service decides on.
 */
import type { CelActivation, CompiledCel } from '../../cel/index.js';

export const DEFAULT_CACHE_ENTRIES = 10_000;

interface Entry<T> {
  readonly value: T;
  readonly expiresAt: number;
  readonly refreshAfter: number;
  refreshing: boolean;
}

export interface CacheLookup<T> {
  /** The cached value to use, if any. */
  readonly value: T | undefined;
  /** This request asks the service (miss, or the one refresh of an entry about to expire). */
  readonly ask: boolean;
}

function part(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'n';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'bigint') return `i${v}`;
  if (typeof v === 'number') return `d${v}`;
  if (typeof v === 'string') return `s${JSON.stringify(v)}`;
  if (v instanceof Uint8Array) return `b${Buffer.from(v).toString('base64')}`;
  return undefined;
}

export class DecisionCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly refreshMs: number;

  constructor(
    private readonly keys: readonly CompiledCel[],
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.refreshMs = Math.min(ttlMs / 10, 5000);
  }

  /** The cache key of a request, or undefined: not cached. */
  key(activation: CelActivation): string | undefined {
    if (this.keys.length === 0) return undefined;
    const parts: string[] = [];
    for (const expr of this.keys) {
      let v: unknown;
      try {
        v = expr(activation);
      } catch {
        return undefined;
      }
      const p = part(v);
      if (p === undefined) return undefined;
      parts.push(p);
    }
    return parts.join('\u0000');
  }

  lookup(key: string): CacheLookup<T> {
    const e = this.entries.get(key);
    const now = this.now();
    if (!e) return { value: undefined, ask: true };
    if (e.expiresAt <= now) {
      this.entries.delete(key);
      return { value: undefined, ask: true };
    }
    if (now >= e.refreshAfter && !e.refreshing) {
      e.refreshing = true;
      return { value: undefined, ask: true };
    }
    return { value: e.value, ask: false };
  }

  store(key: string, value: T): void {
    const now = this.now();
    this.entries.delete(key);
    this.entries.set(key, {
      value,
      expiresAt: now + this.ttlMs,
      refreshAfter: now + this.ttlMs - this.refreshMs,
      refreshing: false,
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** A refresh that failed: let the next request try again. */
  release(key: string): void {
    const e = this.entries.get(key);
    if (e) e.refreshing = false;
  }

  get size(): number {
    return this.entries.size;
  }
}
