import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { NormalizedTarget } from '../../config/types.js';
import { GatewayError, isGatewayError } from '../../errors/registry.js';
import type { Identity } from '../../contracts/request-context.js';
import type { McpTelemetry } from '../../telemetry/hooks.js';
import type { McpCall, Slot } from '../routing/call.js';
import { callOptions } from '../routing/call.js';
import { EventLog } from './event-log.js';
import { lazyChild } from './lazy-logger.js';
import { idleSweep, type IdleSweep } from './idle-sweep.js';
import type { IdentityBinding } from './identity-binding.js';
import { bindIdentity, checkBinding } from './identity-binding.js';
import { mergeInitialize } from '../routing/initialize-result.js';
import type {
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResponseMessage,
  JsonObject,
  RpcOutcome,
} from '../protocol/messages.js';
import { idKey, paramsOf } from '../protocol/messages.js';
import { Multiplexer } from '../routing/multiplexer.js';
import { SessionRelay } from './relay.js';
import { isModernVersion, negotiateLegacy } from '../protocol/revisions.js';
import type { SseStream } from '../protocol/sse-stream.js';
import type { McpLimits, PendingGate, Release } from './limits.js';
import { openConn } from '../connection/open-connection.js';
import type { TargetConn } from '../connection/target-connection.js';
import { failureReason, targetFailed } from '../connection/target-connection.js';
import { failClosedError } from '../routing/failure-mode.js';
import type { RuntimeMcpBackend, SessionInfo, UpstreamFactory } from '../backend.js';

type Headers = Readonly<Record<string, string>> | undefined;

/** One target of a session continued from its sealed id (src/mcp/session/resume.ts). */
export interface ResumedTarget {
  readonly name: string;
  /** The upstream's Mcp-Session-Id; '' when it has none. */
  readonly sessionId: string;
  readonly protocolVersion: string;
  readonly capabilities: JsonObject;
}

export interface SessionDeps {
  readonly logger: Logger;
  readonly upstreams: UpstreamFactory;
  readonly telemetry: McpTelemetry;
  readonly version: string;
  readonly limits: McpLimits;
}

/**
 * One client session (Streamable HTTP or legacy SSE): its own upstream connections (one stdio child per
 * target per session, like agentgateway), the routing of server-initiated messages back to the client,
 * and the identity it is bound to. Upstreams start at `initialize`.
 */
export class Session {
  /** A local id until `initialize` succeeds; then the sealed id handed to the client (session-store.ts). */
  id: string = randomUUID();
  /** Sealed and movable: idle expiry and shutdown leave the upstream sessions to other replicas. */
  movable = false;
  /** Continued from a sealed id (resume.ts): an upstream that forgot its session ends this session. */
  private resumed = false;
  readonly backendKey: string;
  readonly transport: 'streamable' | 'sse';
  readonly createdAt = Date.now();
  lastActiveAt = Date.now();
  protocolVersion = '';
  readonly mux: Multiplexer;
  private readonly binding: IdentityBinding;
  private readonly deps: SessionDeps;
  private readonly logger: Logger;
  private readonly targets: readonly NormalizedTarget[];
  private readonly failureMode: 'failClosed' | 'failOpen';
  private slotList: Slot[] | undefined;
  /** Set while `initialize` runs, so a second one (legacy SSE allows concurrent POSTs) is refused. */
  private initializing = false;
  /** Every connection opened for this session, started or not: closed with the session. */
  private readonly conns = new Set<TargetConn>();
  private readonly backend: RuntimeMcpBackend;
  private readonly pending: PendingGate;
  private readonly releaseSlot: Release;
  private closed = false;
  private readonly relay: SessionRelay;
  /** Client requests in flight, for notifications/cancelled (made on the first request). */
  private inFlight: Map<string, AbortController> | undefined;
  /** Server-initiated messages for the GET stream (made on the first one). */
  private events: EventLog | undefined;
  private stream: SseStream | undefined;
  private busy = 0;
  /** Idle expiry: one shared timer per TTL (idle-sweep.ts), not one per session. */
  private readonly idle: IdleSweep;
  private readonly onClosed: (s: Session) => void;

  constructor(
    backend: RuntimeMcpBackend,
    transport: 'streamable' | 'sse',
    identity: Identity | null,
    deps: SessionDeps,
    idleTtlMs: number,
    onClosed: (s: Session) => void,
    releaseSlot: Release = () => undefined,
  ) {
    this.backend = backend;
    this.backendKey = backend.key;
    this.releaseSlot = releaseSlot;
    this.pending = deps.limits.pendingGate();
    this.transport = transport;
    this.binding = bindIdentity(identity);
    this.deps = deps;
    this.targets = backend.targets;
    this.failureMode = backend.failureMode;
    this.logger = lazyChild(deps.logger, { session: this.id });
    this.onClosed = onClosed;
    const naming = backend.naming;
    this.mux = new Multiplexer(naming, { slots: async () => this.slots() }, this.logger);
    this.relay = new SessionRelay(naming, (m) => this.emit(m), this.logger);
    this.idle = idleSweep(idleTtlMs);
    this.idle.add(this);
    deps.telemetry.sessionOpened();
  }

  get initialized(): boolean {
    return this.slotList !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The started targets (undefined before `initialize`), for sealing the session's id. */
  get startedSlots(): readonly Slot[] | undefined {
    return this.slotList;
  }

  /** The identity key the session is bound to; undefined when anonymous. */
  get identityKey(): string | undefined {
    return this.binding.key;
  }

  checkIdentity(identity: Identity | null): void {
    checkBinding(this.binding, identity);
  }

  touch(): void {
    this.lastActiveAt = Date.now();
  }

  /** Starts every target and fans the client's initialize out (its version, capabilities and clientInfo). */
  async initialize(req: JSONRPCRequest, call: McpCall): Promise<RpcOutcome> {
    if (this.slotList || this.initializing) throw new GatewayError('SESSION_ALREADY_INITIALIZED');
    if (this.closed) throw new GatewayError('SESSION_NOT_FOUND');
    this.initializing = true;
    const params = paramsOf(req);
    this.busy++;
    let slots: Slot[];
    try {
      slots = await Promise.all(this.targets.map((t) => this.connect(t, params, call)));
    } finally {
      this.busy--;
      this.initializing = false;
      this.touch();
    }
    // The session ended while its targets were starting (legacy SSE stream closed, DELETE, reload):
    // what was started is closed here, never kept.
    if (this.closed) {
      await Promise.all(slots.map((s) => s.conn?.close('session closed')));
      throw new GatewayError('SESSION_NOT_FOUND');
    }
    const failed = slots.filter((s) => s.failure !== undefined);
    if (failed.length > 0 && (this.failureMode === 'failClosed' || failed.length === slots.length)) {
      await Promise.all(slots.map((s) => s.conn?.close()));
      const first = failed[0] as Slot;
      throw (
        first.limit ??
        failClosedError(
          targetFailed(first.target.name, first.failure ?? 'failed'),
          failed.length,
          slots.length,
        )
      );
    }
    for (const f of failed) {
      this.logger.warn(
        { target: f.target.name, err: f.failure },
        'failOpen: target unavailable for this session',
      );
    }
    this.slotList = slots;
    const inits = slots.flatMap((s) =>
      s.conn?.initResult ? [{ target: s.target.name, result: s.conn.initResult }] : [],
    );
    const merged = mergeInitialize(inits, this.mux.naming, this.deps.version);
    // Upstreams that speak only 2026-07-28 are translated: the client keeps a legacy version.
    const v = merged.protocolVersion;
    const result =
      typeof v === 'string' && isModernVersion(v)
        ? { ...merged, protocolVersion: negotiateLegacy(params.protocolVersion) }
        : merged;
    this.protocolVersion = typeof result.protocolVersion === 'string' ? result.protocolVersion : '';
    return { result };
  }

  /** A client request: routed by the multiplexer, cancellable by id. */
  async request(req: JSONRPCRequest, call: McpCall, abort: AbortController): Promise<RpcOutcome> {
    const done = this.pending.admit();
    const key = idKey(req.id);
    const inFlight = (this.inFlight ??= new Map());
    inFlight.set(key, abort);
    this.busy++;
    try {
      const o = await this.mux.request(req, call);
      this.checkUpstreamSessions();
      return o;
    } catch (e) {
      this.checkUpstreamSessions();
      throw e;
    } finally {
      done();
      this.busy--;
      if (inFlight.get(key) === abort) inFlight.delete(key);
      this.touch();
    }
  }

  /**
   * Continue a session sealed elsewhere: every target named in the state attaches to its upstream session
   * (no new `initialize`, no `notifications/initialized`: the upstream already has both); targets the
   * session had no connection to (failOpen) stay unavailable. The upstream event streams open with the
   * client's GET stream (attachStream).
   */
  async resume(targets: readonly ResumedTarget[], protocolVersion: string, headers: Headers): Promise<void> {
    this.resumed = true;
    this.protocolVersion = protocolVersion;
    this.busy++;
    try {
      const byName = new Map(targets.map((t) => [t.name, t]));
      this.slotList = await Promise.all(
        this.targets.map(async (target): Promise<Slot> => {
          const t = byName.get(target.name);
          if (!t) return { target, conn: undefined, failure: 'unavailable in this session' };
          const conn = openConn(this.backend, target, this.relay, this.logger, this.deps);
          this.conns.add(conn);
          conn.upstream.resume?.(t.sessionId, t.protocolVersion);
          await conn.start(headers);
          conn.initResult = { protocolVersion: t.protocolVersion, capabilities: t.capabilities };
          return { target, conn, failure: undefined };
        }),
      );
    } finally {
      this.busy--;
      this.touch();
    }
  }

  /** A resumed session whose upstream forgot its session (404) is over: the client gets 404 and re-initializes. */
  private checkUpstreamSessions(): void {
    if (!this.resumed || !this.slotList?.some((s) => s.conn?.upstream.sessionLost)) return;
    void this.close('upstream session lost');
    throw new GatewayError('SESSION_NOT_FOUND');
  }

  /** A client notification: cancellations go to the owning request, the rest to every target. */
  async notify(msg: JSONRPCNotification, call: McpCall): Promise<void> {
    if (msg.method === 'notifications/cancelled') {
      const id = paramsOf(msg).requestId;
      if (typeof id === 'string' || typeof id === 'number') this.inFlight?.get(idKey(id))?.abort();
      return;
    }
    if (!this.slotList) return;
    await this.mux.notify(msg, call);
    // A movable session reads its upstream streams only while the client's stream is here (attachStream).
    if (msg.method === 'notifications/initialized' && !this.movable) this.openEventStreams(call.headers);
  }

  private openEventStreams(headers: Headers): void {
    for (const s of this.slotList ?? []) {
      s.conn?.upstream.openEventStream?.({ headers: s.conn.ownHeaders(headers) }).catch((e: unknown) => {
        this.logger.warn(
          { target: s.target.name, err: (e as Error).message },
          'opening the upstream event stream failed',
        );
      });
    }
  }

  /** The client's answer to a server→client request: back to the upstream that asked, with its own id. */
  async respond(msg: JSONRPCResponseMessage, call: McpCall): Promise<void> {
    await this.relay.respond(msg, callOptions(call, false));
  }

  /** The GET stream (Streamable HTTP) or the legacy SSE stream: server-initiated messages go there. */
  attachStream(stream: SseStream, lastEventId?: string, headers?: Headers): void {
    if (this.stream && this.stream !== stream) this.stream.end();
    this.stream = stream;
    // An upstream allows one event stream per session: a movable session reads it only from the replica
    // that holds the client's stream, and lets it go when that stream closes.
    if (this.movable) this.openEventStreams(headers);
    stream.onClose(() => {
      if (this.stream === stream) {
        this.stream = undefined;
        if (this.movable) for (const s of this.slotList ?? []) s.conn?.upstream.closeEventStream?.();
      }
      this.touch();
    });
    if (this.transport === 'streamable') {
      for (const e of this.events?.replay(lastEventId) ?? []) stream.send(e.message, String(e.id));
    }
  }

  /** Messages that belong to no client request: the open stream, or held until one opens. */
  emit(message: JSONRPCMessage): void {
    if (this.transport === 'sse') {
      this.stream?.send(message);
      return;
    }
    const open = this.stream !== undefined && !this.stream.closed;
    this.events ??= new EventLog(this.deps.limits.values.streamBufferBytes);
    const id = this.events.push(message, open);
    if (open) this.stream?.send(message, String(id));
  }

  /** `keepUpstream`: leave the HTTP upstream sessions open for another replica (idle expiry, shutdown). */
  async close(reason = 'session closed', keepUpstream = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.idle.delete(this);
    for (const a of this.inFlight?.values() ?? []) a.abort();
    this.stream?.end();
    await Promise.all([...this.conns].map((c) => c.close(reason, keepUpstream)));
    this.releaseSlot();
    this.deps.telemetry.sessionClosed();
    this.onClosed(this);
  }

  info(): SessionInfo {
    return {
      id: this.id,
      backend: this.backendKey,
      transport: this.transport,
      protocolVersion: this.protocolVersion,
      sub: this.binding.sub,
      createdAt: this.createdAt,
      lastActiveAt: this.lastActiveAt,
      targets: (this.slotList ?? []).map((s) => ({
        name: s.target.name,
        kind: s.target.kind,
        ...(s.conn?.upstream.pid !== undefined && !s.conn.closed ? { pid: s.conn.upstream.pid } : {}),
      })),
    };
  }

  private slots(): Slot[] {
    if (!this.slotList) throw new GatewayError('INVALID_REQUEST', 'Invalid Request: session not initialized');
    return this.slotList;
  }

  /** Called by the idle sweep once the session has been idle for its TTL. */
  expire(): void {
    if (this.closed) return;
    const streaming = this.stream !== undefined && !this.stream.closed;
    if (this.busy > 0 || streaming) {
      this.touch();
      return;
    }
    this.logger.info('session expired (idle)');
    this.deps.telemetry.sessionExpired?.();
    void this.close('session expired', this.movable);
  }

  private async connect(target: NormalizedTarget, params: JsonObject, call: McpCall): Promise<Slot> {
    let conn: TargetConn | undefined;
    try {
      conn = openConn(this.backend, target, this.relay, this.logger, this.deps);
      this.conns.add(conn);
      await conn.start(call.headers);
      const clientInfo = { name: 'portcullis', version: this.deps.version };
      const o = await conn.initialize(params, clientInfo, callOptions(call));
      if ('error' in o) throw targetFailed(target.name, o.error.message);
      return { target, conn, failure: undefined };
    } catch (e) {
      await conn?.close();
      if (conn) this.conns.delete(conn);
      const limit = isGatewayError(e) && e.code === 'STDIO_CHILD_LIMIT' ? e : undefined;
      return { target, conn: undefined, failure: failureReason((e as Error).message), limit };
    }
  }
}
