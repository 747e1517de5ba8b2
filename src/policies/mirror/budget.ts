/**
 * The process-wide bound on mirrored traffic: requests and body bytes in flight. Owned by the gateway
 * (one per instance, shared by every route's requestMirror across reloads), never a module global.
 */
export class MirrorBudget {
  #requests = 0;
  #bytes = 0;
  constructor(
    readonly maxRequests: number,
    readonly maxBytes: number,
  ) {}
  /** Reserve a slot for a request of `bytes`; false = over a bound (the mirror is dropped). */
  take(bytes: number): boolean {
    if (this.#requests >= this.maxRequests || this.#bytes + bytes > this.maxBytes) return false;
    this.#requests++;
    this.#bytes += bytes;
    return true;
  }
  give(bytes: number): void {
    this.#requests = Math.max(0, this.#requests - 1);
    this.#bytes = Math.max(0, this.#bytes - bytes);
  }
  get inFlight(): number {
    return this.#requests;
  }
}
