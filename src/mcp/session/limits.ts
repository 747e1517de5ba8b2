import type { NormalizedLimits } from '../../config/types.js';
import { GatewayError } from '../../errors/registry.js';
import type { McpTelemetry } from '../../telemetry/hooks.js';

/** Seconds a client is told to wait (Retry-After) when a session cap is reached. */
const RETRY_AFTER_S = '5';

/** Gives a counted resource back, at most once. */
export type Release = () => void;

/**
 * The MCP service's resource bounds from `config.limits` (read per admission, so a reload applies to the
 * next session, child or request): sessions (global and per caller), stdio processes per target, and
 * requests in flight per session or per stateless caller. One owned object per service; every admission
 * returns a `Release` that the owner calls exactly once when the resource is gone.
 */
export class McpLimits {
  private readonly current: () => NormalizedLimits;
  private readonly telemetry: McpTelemetry;
  private sessionCount = 0;
  private readonly perCaller = new Map<string, number>();
  private readonly children = new Map<string, number>();
  private readonly statelessPending = new Map<string, number>();

  constructor(current: () => NormalizedLimits, telemetry: McpTelemetry) {
    this.current = current;
    this.telemetry = telemetry;
  }

  get values(): NormalizedLimits {
    return this.current();
  }

  /** One more session for `caller` (see identity-binding.ts `callerKey`), or SESSION_LIMIT / IDENTITY_SESSION_LIMIT. */
  admitSession(caller: string): Release {
    const l = this.current();
    if (this.sessionCount >= l.sessions) {
      this.telemetry.limitRejected?.('sessions');
      throw new GatewayError('SESSION_LIMIT', `session limit (${l.sessions}) reached`, {
        headers: { 'retry-after': RETRY_AFTER_S },
      });
    }
    const mine = this.perCaller.get(caller) ?? 0;
    if (mine >= l.sessionsPerIdentity) {
      this.telemetry.limitRejected?.('sessionsPerIdentity');
      throw new GatewayError(
        'IDENTITY_SESSION_LIMIT',
        `session limit per caller (${l.sessionsPerIdentity}) reached`,
        { headers: { 'retry-after': RETRY_AFTER_S } },
      );
    }
    this.sessionCount++;
    this.perCaller.set(caller, mine + 1);
    this.telemetry.sessionCallers?.(this.perCaller.size);
    return once(() => {
      this.sessionCount--;
      const n = (this.perCaller.get(caller) ?? 1) - 1;
      if (n > 0) this.perCaller.set(caller, n);
      else this.perCaller.delete(caller);
      this.telemetry.sessionCallers?.(this.perCaller.size);
    });
  }

  /** One more stdio process of `target` (counted per backend and target name), or STDIO_CHILD_LIMIT. */
  admitChild(backendKey: string, target: string): Release {
    const max = this.current().stdioChildrenPerTarget;
    const key = `${backendKey}\0${target}`;
    const n = this.children.get(key) ?? 0;
    if (n >= max) {
      this.telemetry.limitRejected?.('stdioChildrenPerTarget', target);
      throw new GatewayError('STDIO_CHILD_LIMIT', `target "${target}": stdio process limit (${max}) reached`);
    }
    this.children.set(key, n + 1);
    return once(() => {
      const left = (this.children.get(key) ?? 1) - 1;
      if (left > 0) this.children.set(key, left);
      else this.children.delete(key);
    });
  }

  /** A counter of requests in flight for one session, bounded by `pendingRequestsPerSession`. */
  pendingGate(): PendingGate {
    return new PendingGate(() => this.current().pendingRequestsPerSession, this.telemetry);
  }

  /** One more request in flight for a stateless caller (shared upstream connections), or PENDING_LIMIT. */
  admitStateless(caller: string): Release {
    const max = this.current().pendingRequestsPerSession;
    const n = this.statelessPending.get(caller) ?? 0;
    if (n >= max) throw pendingLimit(max, this.telemetry);
    this.statelessPending.set(caller, n + 1);
    this.telemetry.pendingChanged?.(1);
    return once(() => {
      const left = (this.statelessPending.get(caller) ?? 1) - 1;
      if (left > 0) this.statelessPending.set(caller, left);
      else this.statelessPending.delete(caller);
      this.telemetry.pendingChanged?.(-1);
    });
  }
}

/** Requests in flight on one session. */
export class PendingGate {
  private count = 0;
  private readonly max: () => number;
  private readonly telemetry: McpTelemetry;

  constructor(max: () => number, telemetry: McpTelemetry) {
    this.max = max;
    this.telemetry = telemetry;
  }

  get inFlight(): number {
    return this.count;
  }

  admit(): Release {
    const max = this.max();
    if (this.count >= max) throw pendingLimit(max, this.telemetry);
    this.count++;
    this.telemetry.pendingChanged?.(1);
    return once(() => {
      this.count--;
      this.telemetry.pendingChanged?.(-1);
    });
  }
}

function pendingLimit(max: number, telemetry: McpTelemetry): GatewayError {
  telemetry.limitRejected?.('pendingRequestsPerSession');
  return new GatewayError('PENDING_LIMIT', `too many requests in flight (limit ${max})`);
}

function once(fn: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
