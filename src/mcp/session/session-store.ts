import type { Identity } from '../../contracts/request-context.js';
import { GatewayError } from '../../errors/registry.js';
import type { SharedState } from '../../redis/shared-state.js';
import { callerKey } from './identity-binding.js';
import { idDigest, refusal, resumedTargets, sessionState } from './resume.js';
import { MAX_SESSION_ID_CHARS, type SessionKeyring } from './session-token.js';
import { Session } from './session.js';
import type { SessionDeps } from './session.js';
import type { RuntimeMcpBackend, SessionInfo } from '../backend.js';

/** What a sealed id needs besides the sessions: the key ring, and Redis for ids ended anywhere (optional). */
export interface SealDeps {
  readonly keyring: SessionKeyring;
  readonly shared?: SharedState | undefined;
}

/**
 * The live sessions of one MCP service (an owned object). Closed sessions remove themselves.
 * A Streamable HTTP session's id is sealed after `initialize` (resume.ts); an id this process does not
 * hold is opened and, when it may continue here, resumed into a new local session.
 * Creating one takes a place under `limits.sessions` and `limits.sessionsPerIdentity` (src/mcp/session/limits.ts);
 * a session is closed after `limits.sessionIdleTimeout` (or the backend's shorter `sessionIdleTtl`) with
 * no open stream and no request in flight, which reaps its stdio children.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly deps: SessionDeps;
  private readonly defaultTtlMs: number;
  private readonly seal: SealDeps;
  /** Resumes under way, so concurrent requests of one moved session share one local session. */
  private readonly resuming = new Map<string, Promise<Session | undefined>>();
  /** Ids ended in this process (digest → expiry, oldest first), so a DELETEd id is not resumed here. */
  private readonly endedHere = new Map<string, number>();

  constructor(deps: SessionDeps, defaultTtlMs: number, seal: SealDeps) {
    this.deps = deps;
    this.defaultTtlMs = defaultTtlMs;
    this.seal = seal;
  }

  /**
   * After a successful `initialize`: the session's id becomes its sealed state (the id the client gets).
   * A state too long for a header keeps the local id: that session does not move.
   */
  publish(s: Session): void {
    if (s.transport !== 'streamable' || s.isClosed) return;
    const state = sessionState(s, Date.now());
    const id = this.seal.keyring.seal(state);
    if (id.length > MAX_SESSION_ID_CHARS) {
      this.deps.logger.warn({ chars: id.length }, 'sealed session id too long; this session stays here');
      return;
    }
    this.sessions.delete(s.id);
    s.id = id;
    s.movable = !state.l?.length;
    this.sessions.set(id, s);
  }

  /**
   * The session a sealed id names, continued in this process; undefined (answered 404 like any unknown
   * id, whatever the reason: no oracle) when it cannot continue here. Throws the session limits' errors,
   * and SESSION_STORE_UNAVAILABLE when Redis cannot say whether the id was ended and the failure mode is
   * `closed`.
   */
  resume(
    id: string,
    backend: RuntimeMcpBackend,
    identity: Identity | null,
    source: string,
    headers: Readonly<Record<string, string>> | undefined,
  ): Promise<Session | undefined> {
    const running = this.resuming.get(id);
    if (running) return running;
    const p = this.resumeNow(id, backend, identity, source, headers).finally(() => this.resuming.delete(id));
    this.resuming.set(id, p);
    return p;
  }

  private async resumeNow(
    id: string,
    backend: RuntimeMcpBackend,
    identity: Identity | null,
    source: string,
    headers: Readonly<Record<string, string>> | undefined,
  ): Promise<Session | undefined> {
    const count = (result: string): void => this.deps.telemetry.sessionResume?.(result);
    const state = this.seal.keyring.open(id);
    const now = Date.now();
    const why = state
      ? refusal(state, backend, identity, this.deps.limits.values.sessionMaxLifetimeMs, now)
      : 'invalid';
    if (why || !state) {
      count(why ?? 'invalid');
      return undefined;
    }
    const digest = idDigest(id);
    const endedAt = this.endedHere.get(digest);
    if (endedAt !== undefined && endedAt > now) {
      count('ended');
      return undefined;
    }
    const shared = this.seal.shared;
    if (shared) {
      const ended = await shared.isEnded(digest);
      if (ended === true) {
        count('ended');
        return undefined;
      }
      if (ended !== false && shared.failureMode === 'closed') {
        count('unavailable');
        throw new GatewayError('SESSION_STORE_UNAVAILABLE');
      }
    }
    const s = this.create(backend, 'streamable', identity, source);
    this.sessions.delete(s.id);
    try {
      await s.resume(resumedTargets(state), state.p, headers);
    } catch (e) {
      this.deps.logger.warn({ err: (e as Error).message }, 'resuming a session failed');
      await s.close('resume failed', true);
      count('failed');
      return undefined;
    }
    if (s.isClosed) return undefined;
    s.id = id;
    s.movable = true;
    this.sessions.set(id, s);
    count('resumed');
    return s;
  }

  /** The backend key a sealed id names (for routes with several backends); no check of the caller here. */
  sealedBackendOf(id: string): string | undefined {
    return this.seal.keyring.open(id)?.k;
  }

  /**
   * End a session for good (the client's DELETE, the admin API): its upstream sessions are deleted and,
   * with Redis, the id is recorded as ended so no replica resumes it.
   */
  async end(s: Session, reason: string): Promise<void> {
    const movable = s.movable;
    await s.close(reason);
    if (!movable) return;
    const issued = this.seal.keyring.open(s.id)?.i ?? Math.floor(Date.now() / 1000);
    const ttl = issued * 1000 + this.deps.limits.values.sessionMaxLifetimeMs - Date.now();
    if (ttl <= 0) return;
    const digest = idDigest(s.id);
    this.endedHere.set(digest, Date.now() + ttl);
    // Bounded like the sessions themselves; the oldest record goes first (Redis keeps the full list).
    while (this.endedHere.size > this.deps.limits.values.sessions) {
      this.endedHere.delete(this.endedHere.keys().next().value!);
    }
    const shared = this.seal.shared;
    if (shared && !(await shared.endSession(digest, ttl)))
      this.deps.logger.warn('redis unavailable: an ended session id was not recorded');
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
    await this.end(s, reason);
    return true;
  }

  async retain(keys: ReadonlySet<string>): Promise<void> {
    const gone = [...this.sessions.values()].filter((s) => !keys.has(s.backendKey));
    await Promise.all(gone.map((s) => s.close('backend removed')));
  }

  async closeAll(): Promise<void> {
    // Movable sessions keep their upstream sessions: another replica continues them.
    await Promise.all([...this.sessions.values()].map((s) => s.close('gateway shutting down', s.movable)));
  }
}
