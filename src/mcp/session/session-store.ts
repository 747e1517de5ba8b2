import type { Identity } from '../../contracts/request-context.js';
import { callerKey } from './identity-binding.js';
import { Session } from './session.js';
import type { SessionDeps } from './session.js';
import type { RuntimeMcpBackend, SessionInfo } from '../backend.js';

/**
 * The live sessions of one MCP service (an owned object). Closed sessions remove themselves.
 * Creating one takes a place under `limits.sessions` and `limits.sessionsPerIdentity` (src/mcp/session/limits.ts);
 * a session is closed after `limits.sessionIdleTimeout` (or the backend's shorter `sessionIdleTtl`) with
 * no open stream and no request in flight, which reaps its stdio children.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly deps: SessionDeps;
  private readonly defaultTtlMs: number;

  constructor(deps: SessionDeps, defaultTtlMs: number) {
    this.deps = deps;
    this.defaultTtlMs = defaultTtlMs;
  }

  /** Throws SESSION_LIMIT / IDENTITY_SESSION_LIMIT when a cap is reached (anonymous callers: per `source`). */
  create(
    backend: RuntimeMcpBackend,
    transport: 'streamable' | 'sse',
    identity: Identity | null,
    source: string,
  ): Session {
    const release = this.deps.limits.admitSession(callerKey(identity, source));
    const configured = backend.sessionIdleTtlMs > 0 ? backend.sessionIdleTtlMs : this.defaultTtlMs;
    const ttl = Math.min(configured, this.deps.limits.values.sessionIdleTimeoutMs);
    const s = new Session(
      backend,
      transport,
      identity,
      this.deps,
      ttl,
      (closed) => {
        if (this.sessions.get(closed.id) === closed) this.sessions.delete(closed.id);
      },
      release,
    );
    this.sessions.set(s.id, s);
    return s;
  }

  /** The session with this id, if it belongs to `backendKey` (ids of other backends are simply unknown). */
  get(id: string, backendKey: string): Session | undefined {
    const s = this.sessions.get(id);
    return s && s.backendKey === backendKey && !s.isClosed ? s : undefined;
  }

  /** The backend key of a live session, whatever its backend. */
  backendOf(id: string): string | undefined {
    const s = this.sessions.get(id);
    return s && !s.isClosed ? s.backendKey : undefined;
  }

  list(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => s.info());
  }

  /** Close one session (the admin API's "close session"); false when no open session has this id. */
  async close(id: string, reason: string): Promise<boolean> {
    const s = this.sessions.get(id);
    if (!s || s.isClosed) return false;
    await s.close(reason);
    return true;
  }

  async retain(keys: ReadonlySet<string>): Promise<void> {
    const gone = [...this.sessions.values()].filter((s) => !keys.has(s.backendKey));
    await Promise.all(gone.map((s) => s.close('backend removed')));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.close('gateway shutting down')));
  }
}
