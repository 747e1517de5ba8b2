import type { Logger } from 'pino';
import type { NormalizedTarget } from '../../config/types.js';
import type { McpTelemetry } from '../../telemetry/hooks.js';
import { failClosedError } from '../routing/failure-mode.js';
import type { McpCall, Slot } from '../routing/call.js';
import { callOptions } from '../routing/call.js';
import { mergeInitialize } from '../routing/initialize-result.js';
import type {
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResponseMessage,
  JsonObject,
} from '../protocol/messages.js';
import { isObject } from '../protocol/messages.js';
import { Multiplexer } from '../routing/multiplexer.js';
import { LATEST_LEGACY_VERSION } from '../protocol/revisions.js';
import type { McpLimits } from './limits.js';
import { openConn } from '../connection/open-connection.js';
import type { TargetConn } from '../connection/target-connection.js';
import { failureReason, targetFailed } from '../connection/target-connection.js';
import type { RuntimeMcpBackend, SessionInfo, UpstreamFactory } from '../backend.js';

/** A target that failed to start is not retried before this long (so a dead target costs one timeout, not one per request). */
const RETRY_AFTER_MS = 5_000;

const LIST_CHANGED = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
]);

export interface PoolListener {
  message(message: JSONRPCMessage): void;
  /** The pool is going away (reload removed the backend, shutdown). */
  closed(): void;
}

interface PoolSlot {
  conn: TargetConn | undefined;
  starting: Promise<void> | undefined;
  failure: string | undefined;
  failedAt: number;
}

export interface PoolDeps {
  readonly logger: Logger;
  readonly upstreams: UpstreamFactory;
  readonly telemetry: McpTelemetry;
  readonly version: string;
  readonly limits: McpLimits;
}

/**
 * The per-backend upstream connections used statelessly: by 2026-07-28 clients (no sessions in that
 * revision) and by `statefulMode: stateless` backends. The gateway initializes each upstream itself
 * (its own clientInfo, no client capabilities — so upstreams send no sampling/elicitation/roots requests)
 * and keeps the connection for every later request; a closed connection is replaced on next use.
 */
export class StatelessPool {
  readonly backendKey: string;
  readonly mux: Multiplexer;
  readonly createdAt = Date.now();
  lastActiveAt = Date.now();
  private readonly targets: readonly NormalizedTarget[];
  private readonly slots = new Map<string, PoolSlot>();
  private readonly backend: RuntimeMcpBackend;
  private readonly deps: PoolDeps;
  private readonly logger: Logger;
  private readonly listeners = new Set<PoolListener>();
  private closed = false;

  constructor(backend: RuntimeMcpBackend, deps: PoolDeps) {
    this.backendKey = backend.key;
    this.targets = backend.targets;
    this.backend = backend;
    this.deps = deps;
    this.logger = deps.logger.child({ pool: backend.key });
    for (const t of this.targets)
      this.slots.set(t.name, { conn: undefined, starting: undefined, failure: undefined, failedAt: 0 });
    this.mux = new Multiplexer(backend.naming, { slots: (call) => this.ready(call) }, this.logger, true);
  }

  /** Every target, connected when possible (failures are reported per slot, per failureMode by the caller). */
  async ready(call: McpCall): Promise<Slot[]> {
    this.lastActiveAt = Date.now();
    await Promise.all(this.targets.map((t) => this.ensure(t, call)));
    return this.targets.map((target) => {
      const s = this.slots.get(target.name) as PoolSlot;
      const conn = s.conn && !s.conn.closed ? s.conn : undefined;
      return { target, conn, failure: conn ? undefined : (s.failure ?? 'not connected') };
    });
  }

  /** The merged "initialize" view of the connected targets (server/discover, stateless initialize). */
  async describe(call: McpCall): Promise<JsonObject> {
    const slots = await this.ready(call);
    const failed = slots.filter((s) => !s.conn);
    const first = failed[0];
    if (first && (call.backend.failureMode === 'failClosed' || failed.length === slots.length)) {
      throw failClosedError(
        targetFailed(first.target.name, first.failure ?? 'not connected'),
        failed.length,
        slots.length,
      );
    }
    const inits = slots.flatMap((s) =>
      s.conn?.initResult ? [{ target: s.target.name, result: s.conn.initResult }] : [],
    );
    const merged = mergeInitialize(inits, this.mux.naming, this.deps.version);
    // Tasks are refused on shared connections (src/mcp/routing/multiplexer.ts): never advertised here.
    if (!isObject(merged.capabilities) || merged.capabilities.tasks === undefined) return merged;
    const { tasks: _tasks, ...capabilities } = merged.capabilities;
    return { ...merged, capabilities };
  }

  /** list_changed notifications of the pooled upstreams (subscriptions/listen streams). */
  subscribe(listener: PoolListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const l of [...this.listeners]) l.closed();
    this.listeners.clear();
    await Promise.all([...this.slots.values()].map((s) => s.conn?.close('backend removed')));
  }

  info(): SessionInfo {
    return {
      id: `stateless:${this.backendKey}`,
      backend: this.backendKey,
      transport: 'stateless',
      protocolVersion: LATEST_LEGACY_VERSION,
      sub: undefined,
      createdAt: this.createdAt,
      lastActiveAt: this.lastActiveAt,
      targets: this.targets.map((t) => {
        const conn = this.slots.get(t.name)?.conn;
        const pid = conn && !conn.closed ? conn.upstream.pid : undefined;
        return { name: t.name, kind: t.kind, ...(pid !== undefined ? { pid } : {}) };
      }),
    };
  }

  private async ensure(target: NormalizedTarget, call: McpCall): Promise<void> {
    const s = this.slots.get(target.name) as PoolSlot;
    if (s.conn && !s.conn.closed) return;
    if (!s.starting) {
      if (s.failure !== undefined && Date.now() - s.failedAt < RETRY_AFTER_MS) return;
      s.starting = this.start(target, s, call).finally(() => {
        s.starting = undefined;
      });
    }
    await s.starting;
  }

  private async start(target: NormalizedTarget, s: PoolSlot, call: McpCall): Promise<void> {
    if (this.closed) return;
    const opts = callOptions(call, false);
    let conn: TargetConn | undefined;
    try {
      conn = openConn(this.backend, target, this.connEvents(), this.logger, this.deps);
      await conn.start(opts.headers);
      const clientInfo = { name: 'portcullis', version: this.deps.version };
      const o = await conn.initialize(
        { protocolVersion: LATEST_LEGACY_VERSION, capabilities: {}, clientInfo },
        clientInfo,
        opts,
      );
      if ('error' in o) throw targetFailed(target.name, o.error.message);
      await conn.notify('notifications/initialized', undefined, opts);
      conn.upstream
        .openEventStream?.({ headers: conn.ownHeaders(opts.headers ?? {}) })
        .catch((e: unknown) => {
          this.logger.debug({ target: target.name, err: (e as Error).message }, 'no upstream event stream');
        });
      if (this.closed) {
        await conn.close('backend removed');
        return;
      }
      s.conn = conn;
      s.failure = undefined;
    } catch (e) {
      await conn?.close();
      s.failure = failureReason((e as Error).message);
      s.failedAt = Date.now();
      this.logger.warn({ target: target.name, err: s.failure }, 'stateless upstream unavailable');
    }
  }

  private connEvents() {
    return {
      notification: (conn: TargetConn, msg: JSONRPCNotification) => {
        // Progress reached its request by token (target-conn.ts). Everything else that names no request
        // — logging, resource updates — cannot be related to one caller on a shared connection: it is
        // dropped rather than delivered to whichever request happens to be in flight.
        if (LIST_CHANGED.has(msg.method)) for (const l of this.listeners) l.message(msg);
        else this.logger.debug({ target: conn.name, method: msg.method }, 'unrelatable notification dropped');
      },
      request: (conn: TargetConn, msg: JSONRPCRequest) => {
        // No client capabilities were declared, so there is no one to ask; ping is answered.
        const reply =
          msg.method === 'ping'
            ? { jsonrpc: '2.0', id: msg.id, result: {} }
            : {
                jsonrpc: '2.0',
                id: msg.id,
                error: {
                  code: -32601,
                  message: `Method not found: ${msg.method} (stateless gateway clients)`,
                },
              };
        void conn.respond(reply as JSONRPCResponseMessage).catch(() => undefined);
      },
    };
  }
}
