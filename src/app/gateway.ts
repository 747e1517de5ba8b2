/**
 * The running gateway: owns the logger, the MCP service (sessions survive reloads), the upstream
 * pools, the bind manager and the current snapshot. `reload()` builds a complete new snapshot first
 * and swaps atomically; on any failure the old snapshot keeps serving.
 */
import type { Logger } from 'pino';
import { loadConfig, readConfigInput, type ConfigInput, type LoadedConfig } from '../config/load.js';
import type { NormalizedConfig } from '../config/types.js';
import { createMcpService } from '../mcp/service.js';
import type { McpService, UpstreamFactory } from '../mcp/types.js';
import { createUpstreamFactory, type UpstreamFactoryOptions } from '../mcp/upstream/factory.js';
import { buildSnapshot } from '../runtime/build.js';
import type { SharedState } from '../redis/shared-state.js';
import type { Snapshot } from '../runtime/snapshot.js';
import { createHttpProxy, type HttpProxy } from '../server/http-proxy.js';
import { BindManager, type BoundAddress, type RequestObserver } from '../server/listeners.js';
import type { McpTelemetry } from '../telemetry/hooks.js';
import { issuesOf, type ReloadIssue } from './issues.js';

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
  readonly onReload?: (ok: boolean) => void;
  /** stdio children started, failed to start or exited (target health, src/app/target-health.ts). */
  readonly onStdioState?: UpstreamFactoryOptions['onStdioState'];
  readonly onJwksRefresh?: (ok: boolean) => void;
  /** Redis-held state shared by every replica (src/redis/shared-state.ts), when configured. */
  readonly sharedState?: SharedState;
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
      { acquire: () => this.acquire(), release: (s) => this.release(s) },
      { mcp, proxy, logger: deps.logger },
      deps.observer,
    );
  }

  /** Load, build and bind. Throws (ConfigError/BuildError/listen error) when the first load fails. */
  static async start(input: ConfigInput, deps: GatewayDeps, preloaded?: LoadedConfig): Promise<Gateway> {
    const loaded = preloaded ?? loadConfig(input, deps.env);
    const snap = await buildSnapshot(loaded, 1, {
      logger: deps.logger,
      onJwksRefresh: deps.onJwksRefresh,
      ...(deps.sharedState ? { sharedState: deps.sharedState } : {}),
    });
    const upstreams = createUpstreamFactory({
      telemetry: deps.telemetry,
      ...(deps.onStdioState ? { onStdioState: deps.onStdioState } : {}),
      connectTimeoutMs: snap.config.static.backend.connectTimeoutMs,
      poolIdleTimeoutMs: snap.config.static.backend.poolIdleTimeoutMs,
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
   * whether it applied; on failure the previous config keeps serving.
   */
  reload(): Promise<ReloadStatus> {
    if (this.reloading) return this.reloading.then(() => this.reload());
    this.reloading = this.doReload().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async doReload(): Promise<ReloadStatus> {
    const log = this.deps.logger;
    const generation = this.generation + 1;
    let next: Snapshot | undefined;
    try {
      if (this.input.file) this.input = await readConfigInput({ file: this.input.file });
      const loaded = loadConfig(this.input, this.deps.env);
      next = await buildSnapshot(loaded, generation, {
        logger: log,
        onJwksRefresh: this.deps.onJwksRefresh,
        ...(this.deps.sharedState ? { sharedState: this.deps.sharedState } : {}),
      });
      // Open new ports before the swap: if a port is taken, nothing changes.
      await this.binds.openFor(next);
    } catch (e) {
      next?.close();
      const errors = issuesOf(e);
      for (const i of errors)
        log.error({ file: i.file, line: i.line, column: i.column }, `Failed to reload config: ${i.text}`);
      this.status = { ...this.status, ok: false, at: new Date().toISOString(), errors };
      this.deps.onReload?.(false);
      return this.status;
    }
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
    await this.binds.closeUnused(next, next.config.static.connectionTerminationDeadlineMs);
    await this.mcp.retainBackends(next.mcpBackendKeys);
    for (const w of next.warnings) log.warn(w);
    if (restartRequired.length)
      log.warn({ keys: restartRequired }, 'static config changed: restart required to apply it');
    log.info({ generation }, 'Config reloaded successfully');
    this.status = { ok: true, at: new Date().toISOString(), generation, errors: [], restartRequired };
    this.deps.onReload?.(true);
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
