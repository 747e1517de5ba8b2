/**
 * The running gateway: owns the logger, the MCP service (sessions survive reloads), the upstream
 * pools, the bind manager and the current snapshot. `reload()` builds a complete new snapshot first
 * and swaps atomically; on any failure the old snapshot keeps serving.
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { loadConfig, readConfigInput, type ConfigInput, type LoadedConfig } from '../config/load.js';
import type { NormalizedConfig } from '../config/types.js';
import { createMcpService } from '../mcp/service.js';
import type { McpService, UpstreamFactory } from '../mcp/backend.js';
import { createUpstreamFactory, type UpstreamFactoryOptions } from '../mcp/upstream/factory.js';
import { buildSnapshot } from '../runtime/build.js';
import type { SharedState } from '../redis/shared-state.js';
import type { SessionKeyring } from '../mcp/session/session-token.js';
import type { Snapshot } from '../runtime/snapshot.js';
import { createHttpProxy, type HttpProxy } from '../server/http-proxy.js';
import { NO_SERVER_EVENTS, type ServerEvents } from '../contracts/server-events.js';
import {
  BindManager,
  type BoundAddress,
  type PreparedBinds,
  type RequestObserver,
} from '../server/listeners.js';
import type { McpTelemetry } from '../telemetry/hooks.js';
import { emptyConfigError } from './empty-config.js';
import { issuesOf, type ReloadIssue } from './issues.js';
import type { TrafficTelemetry } from '../policies/types.js';
import type { TcpTelemetry } from '../telemetry/traffic-metrics.js';

export interface ReloadStatus {
  readonly ok: boolean;
  readonly at: string;
  readonly generation: number;
  readonly errors: readonly ReloadIssue[];
  /** Static `config:` keys that changed and need a restart to apply. */
  readonly restartRequired: readonly string[];
}

export interface GatewayDeps {
  readonly logger: Logger;
  readonly telemetry: McpTelemetry;
  readonly observer: RequestObserver;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Listener-level counters (timeouts, refused connections, malformed requests). */
  readonly serverEvents?: ServerEvents;
  readonly onReload?: (ok: boolean) => void;
  /** stdio children started, failed to start or exited (target health, src/app/target-health.ts). */
  readonly onStdioState?: UpstreamFactoryOptions['onStdioState'];
  readonly onJwksRefresh?: (ok: boolean) => void;
  /** Redis-held state shared by every replica (src/redis/shared-state.ts), when configured. */
  readonly sharedState?: SharedState;
  /** Seals MCP session ids (src/mcp/session/session-token.ts); random per process when absent. */
  readonly sessionKeyring?: SessionKeyring;
  /** Counters of the traffic policies and TCP routes (src/telemetry/traffic-metrics.ts). */
  readonly traffic?: TrafficTelemetry & TcpTelemetry;
}

interface Held {
  snap: Snapshot;
  refs: number;
  superseded: boolean;
}

export class Gateway {
  private held: Held;
  private readonly holders = new Map<Snapshot, Held>();
  private generation = 1;
  private status: ReloadStatus;
  private readonly binds: BindManager;
  private reloading: Promise<ReloadStatus> | undefined;
  private stopped = false;

  private constructor(
    private input: ConfigInput,
    first: Snapshot,
    readonly deps: GatewayDeps,
    readonly mcp: McpService,
    private readonly upstreams: UpstreamFactory,
    private readonly proxy: HttpProxy,
  ) {
    this.held = { snap: first, refs: 0, superseded: false };
    this.holders.set(first, this.held);
    this.status = { ok: true, at: new Date().toISOString(), generation: 1, errors: [], restartRequired: [] };
    this.binds = new BindManager(
      {
        snapshots: { acquire: () => this.acquire(), release: (s) => this.release(s) },
        pipeline: { mcp, proxy, logger: deps.logger },
        observer: deps.observer,
        events: deps.serverEvents ?? NO_SERVER_EVENTS,
        logger: deps.logger,
      },
      () => this.input.name,
      deps.traffic,
    );
  }

  /** Load, build and bind. Throws (ConfigError/BuildError/listen error) when the first load fails. */
  static async start(input: ConfigInput, deps: GatewayDeps, preloaded?: LoadedConfig): Promise<Gateway> {
    const loaded = preloaded ?? loadConfig(input, deps.env);
    const snap = await buildSnapshot(loaded, 1, {
      logger: deps.logger,
      onJwksRefresh: deps.onJwksRefresh,
      ...(deps.sharedState ? { sharedState: deps.sharedState } : {}),
      ...(deps.traffic ? { traffic: deps.traffic } : {}),
    });
    const upstreams = createUpstreamFactory({
      telemetry: deps.telemetry,
      ...(deps.onStdioState ? { onStdioState: deps.onStdioState } : {}),
      connectTimeoutMs: snap.config.static.backend.connectTimeoutMs,
      poolIdleTimeoutMs: snap.config.static.backend.poolIdleTimeoutMs,
      openApiSchemaLimits: () => ({
        timeoutMs: gw.config.static.limits.openapiSchemaTimeoutMs,
        maxBytes: gw.config.static.limits.openapiSchemaBytes,
      }),
      ...(snap.config.static.backend.poolMaxSize
        ? { poolMaxSize: snap.config.static.backend.poolMaxSize }
        : {}),
    });
    const mcp = createMcpService({
      logger: deps.logger,
      upstreams,
      telemetry: deps.telemetry,
      sessionTtlMs: snap.config.static.sessionTtlMs,
      // Read per admission, so a reload's limits apply to the next session, child and request.
      limits: () => gw.config.static.limits,
      ...(deps.sessionKeyring ? { sessionKeyring: deps.sessionKeyring } : {}),
      ...(deps.sharedState ? { sharedState: deps.sharedState } : {}),
    });
    const proxy = createHttpProxy({
      connectTimeoutMs: snap.config.static.backend.connectTimeoutMs,
      streamBufferBytes: () => gw.config.static.limits.streamBufferBytes,
      onSlowClient: () => deps.telemetry.slowClientDisconnected?.('proxy'),
    });
    const gw = new Gateway(input, snap, deps, mcp, upstreams, proxy);
    try {
      await gw.binds.openFor(snap);
    } catch (e) {
      snap.close();
      await mcp.shutdown();
      await upstreams.close();
      await proxy.close();
      throw e;
    }
    for (const w of snap.warnings) deps.logger.warn(w);
    return gw;
  }

  get snapshot(): Snapshot {
    return this.held.snap;
  }

  get config(): NormalizedConfig {
    return this.held.snap.config;
  }

  get configInput(): ConfigInput {
    return this.input;
  }

  get upstreamFactory(): UpstreamFactory {
    return this.upstreams;
  }

  reloadStatus(): ReloadStatus {
    return this.status;
  }

  addresses(): BoundAddress[] {
    return this.binds.addresses();
  }

  private acquire(): Snapshot {
    this.held.refs++;
    return this.held.snap;
  }

  private release(s: Snapshot): void {
    const h = this.holders.get(s);
    if (!h) return;
    h.refs--;
    if (h.superseded && h.refs <= 0) {
      this.holders.delete(s);
      s.close();
    }
  }

  /**
   * Re-read the config source and apply it. Concurrent calls coalesce. Never throws: the result says
   * whether it applied; on failure the previous config keeps serving. The one reload path: the file
   * watcher, SIGHUP and the admin API's `POST /config` (through `applyText`) all end here.
   */
  reload(): Promise<ReloadStatus> {
    return this.serialized(() => this.doReload(undefined));
  }

  /**
   * Write `text` to the config file and apply it like a reload. When it does not apply, the file gets
   * its previous text back, so file and running config never disagree. Never throws.
   */
  applyText(text: string): Promise<ReloadStatus> {
    return this.serialized(() => this.doReload(text));
  }

  private serialized(run: () => Promise<ReloadStatus>): Promise<ReloadStatus> {
    const prev = this.reloading ?? Promise.resolve(this.status);
    const next = prev.then(run, run).finally(() => {
      if (this.reloading === next) this.reloading = undefined;
    });
    this.reloading = next;
    return next;
  }

  private async doReload(text: string | undefined): Promise<ReloadStatus> {
    const log = this.deps.logger;
    if (this.stopped) return this.status;
    const generation = this.generation + 1;
    let next: Snapshot | undefined;
    let prepared: PreparedBinds | undefined;
    const previousText = this.input.text;
    let input = this.input;
    try {
      if (text !== undefined && input.file) {
        writeFileAtomic(input.file, text);
        input = { ...input, text };
      } else if (input.file) input = await readConfigInput({ file: input.file });
      const empty = emptyConfigError(input.text);
      if (empty) throw empty;
      const loaded = loadConfig(input, this.deps.env);
      next = await buildSnapshot(loaded, generation, {
        logger: log,
        onJwksRefresh: this.deps.onJwksRefresh,
        ...(this.deps.sharedState ? { sharedState: this.deps.sharedState } : {}),
        ...(this.deps.traffic ? { traffic: this.deps.traffic } : {}),
      });
      // Open new and changed binds before the swap: a port that cannot be bound changes nothing.
      prepared = await this.binds.prepare(next);
    } catch (e) {
      next?.close();
      if (text !== undefined && input.file) restoreFile(input.file, previousText, log);
      return this.failed(e);
    }
    this.input = input;
    const restartRequired = staticChanges(this.held.snap.config, next.config);
    // The swap: one assignment. Requests that already started keep their snapshot until they finish.
    const old = this.held;
    this.generation = generation;
    this.held = { snap: next, refs: 0, superseded: false };
    this.holders.set(next, this.held);
    old.superseded = true;
    if (old.refs <= 0) {
      this.holders.delete(old.snap);
      old.snap.close();
    }
    try {
      await this.binds.commit(prepared, next);
      await this.mcp.retainBackends(next.mcpBackendKeys);
    } catch (e) {
      // The new config serves; cleaning up after the old one failed. Log it, never reject.
      log.error({ err: e }, 'cleanup after a config reload failed');
    }
    for (const w of next.warnings) log.warn(w);
    if (restartRequired.length)
      log.warn({ keys: restartRequired }, 'static config changed: restart required to apply it');
    log.info({ generation }, 'Config reloaded successfully');
    this.status = { ok: true, at: new Date().toISOString(), generation, errors: [], restartRequired };
    this.deps.onReload?.(true);
    return this.status;
  }

  private failed(e: unknown): ReloadStatus {
    const errors = issuesOf(e);
    for (const i of errors)
      this.deps.logger.error(
        { file: i.file, line: i.line, column: i.column },
        `Failed to reload config: ${i.text}`,
      );
    this.status = { ...this.status, ok: false, at: new Date().toISOString(), errors };
    this.deps.onReload?.(false);
    return this.status;
  }

  /** Graceful stop: stop accepting, drain in flight (bounded), end sessions and children. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.binds.closeAll(this.held.snap.config.static.connectionTerminationDeadlineMs);
    await this.mcp.shutdown();
    await this.upstreams.close();
    await this.proxy.close();
    for (const s of this.holders.keys()) s.close();
    this.holders.clear();
  }
}

function staticChanges(a: NormalizedConfig, b: NormalizedConfig): string[] {
  const out: string[] = [];
  const ra = a.static.raw as Record<string, unknown>;
  const rb = b.static.raw as Record<string, unknown>;
  for (const k of new Set([...Object.keys(ra ?? {}), ...Object.keys(rb ?? {})])) {
    if (JSON.stringify(ra?.[k]) !== JSON.stringify(rb?.[k])) out.push(`config.${k}`);
  }
  return out;
}

function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.portcullis-tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function restoreFile(file: string, text: string, log: Logger): void {
  try {
    writeFileAtomic(file, text);
  } catch (e) {
    log.error({ err: e, file }, 'could not restore the previous config file');
  }
}
