/**
 * Compiled expressions by (variable set, expected type, source text). A compiled expression is a pure
 * function of its text in an environment that never changes (src/cel/environment.ts), so a config build
 * that compiles the same rule on 100 routes compiles it once, and a reload compiles only the expressions
 * that changed. Bounded: least recently used entries go first beyond `MAX_ENTRIES`.
 */
const MAX_ENTRIES = 2048;

export class CompileCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly max = MAX_ENTRIES) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached value for `key`, else `make()` (cached). */
  getOrCompute(key: string, make: () => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = make();
    this.entries.set(key, value);
    if (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return value;
  }
}
