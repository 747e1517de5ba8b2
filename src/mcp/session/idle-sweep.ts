/**
 * One timer for the idle expiry of every session with the same time-to-live, instead of a timer per
 * session: 10,000 idle sessions held 10,000 `Timeout` objects and their closures, and every request
 * re-armed one. Here a request only stamps `lastActiveAt`; a sweep every `ttl / 8` (at most once a
 * second) expires the sessions idle for at least the TTL, so a session goes at most an eighth of its TTL
 * (at most one second) after it became idle for the TTL. The timer runs only while sessions exist and
 * never keeps the process alive.
 */
export interface IdleMember {
  /** Milliseconds since the epoch of the last activity. */
  readonly lastActiveAt: number;
  /** Called by the sweep once idle for the TTL; the member decides (busy or streaming: it stays). */
  expire(): void;
}

const MAX_SWEEP_MS = 1000;

export class IdleSweep {
  private readonly members = new Set<IdleMember>();
  private timer: NodeJS.Timeout | undefined;
  private readonly everyMs: number;

  constructor(readonly ttlMs: number) {
    this.everyMs = Math.max(1, Math.min(MAX_SWEEP_MS, Math.floor(ttlMs / 8)));
  }

  get size(): number {
    return this.members.size;
  }

  add(member: IdleMember): void {
    this.members.add(member);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.sweep(), this.everyMs);
      this.timer.unref();
    }
  }

  delete(member: IdleMember): void {
    this.members.delete(member);
    if (this.members.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private sweep(): void {
    const now = Date.now();
    // A Set may lose members while it is iterated (an expiring session leaves at once): no copy.
    for (const m of this.members) if (now - m.lastActiveAt >= this.ttlMs) m.expire();
  }
}

const sweeps = new Map<number, IdleSweep>();

/** The shared sweep for `ttlMs` (one per distinct TTL in the process). */
export function idleSweep(ttlMs: number): IdleSweep {
  let s = sweeps.get(ttlMs);
  if (s === undefined) {
    s = new IdleSweep(ttlMs);
    sweeps.set(ttlMs, s);
  }
  return s;
}
