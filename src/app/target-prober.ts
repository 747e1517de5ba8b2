/**
 * Keeps `TargetHealth` true without client traffic. For every target of every MCP backend of the
 * snapshot being served (./target-probe.ts says what one probe does):
 * - HTTP targets (MCP, SSE, OpenAPI) are probed at once, then every `readiness.probeInterval` while
 *   healthy, and with exponential backoff (1 s, 2 s, 4 s … up to `readiness.probeMaxBackoff`) while failing.
 * - stdio targets are not spawned just to look at them: their children are observed (started, could not
 *   start, exited on their own). A failing stdio target is probed with backoff until it works again.
 * - After a reload, a new or changed target is probed immediately (a failing stdio one too), so a fixing
 *   reload turns it healthy right away; targets the reload removed are forgotten.
 */
import type { Logger } from 'pino';
import type { NormalizedTarget } from '../config/types.js';
import { UpstreamError } from '../errors/upstream.js';
import type { UpstreamFactory } from '../mcp/backend.js';
import type { UpstreamState } from '../mcp/upstream/stdio.js';
import type { UpstreamTls } from '../mcp/upstream/upstream.js';
import type { Snapshot } from '../runtime/snapshot.js';
import type { TargetHealth, TargetRef } from './target-health.js';
import { probeTarget, type ProbeResult } from './target-probe.js';

const FIRST_BACKOFF_MS = 1000;

export interface TargetProberOptions {
  readonly health: TargetHealth;
  readonly factory: UpstreamFactory;
  readonly logger: Logger;
  readonly version: string;
  /** Every finished probe: `ok` or its `UPSTREAM_*` code (the `portcullis_target_probes_total` counter). */
  readonly onProbe?: (ref: TargetRef, code: string) => void;
}

interface Probed {
  readonly ref: TargetRef;
  readonly target: NormalizedTarget;
  readonly tls: UpstreamTls | undefined;
  readonly signature: string;
  timer: NodeJS.Timeout | undefined;
  failures: number;
  running: boolean;
  stopped: boolean;
}

export class TargetProber {
  private readonly o: TargetProberOptions;
  private readonly probed = new Map<string, Probed>();
  /** Target config objects (of this and older snapshots still used by sessions) → their backend/target. */
  private readonly refs = new WeakMap<NormalizedTarget, TargetRef>();
  private intervalMs = 30_000;
  private maxBackoffMs = 30_000;
  private closed = false;

  constructor(o: TargetProberOptions) {
    this.o = o;
  }

  /**
   * Start probing the targets of `snap`; stop for those it no longer has. Called at start and after every
   * reload. Resolves when the probes it started at once have finished (start-up waits for them, briefly).
   */
  sync(snap: Snapshot): Promise<void> {
    if (this.closed) return Promise.resolve();
    const first: Promise<void>[] = [];
    this.intervalMs = snap.config.static.readiness.probeIntervalMs;
    this.maxBackoffMs = snap.config.static.readiness.probeMaxBackoffMs;
    const current = new Map<string, Omit<Probed, 'timer' | 'failures' | 'running' | 'stopped'>>();
    for (const b of snap.binds)
      for (const l of b.listeners)
        for (const r of l.routes) {
          if (r.backend?.kind !== 'mcp') continue;
          const mcp = r.backend.mcp;
          for (const target of mcp.config.targets) {
            const ref = { backend: mcp.config.name, target: target.name };
            this.refs.set(target, ref);
            const tls = mcp.targetPolicies.get(target.name)?.backendTls ?? mcp.backendTls;
            const signature = JSON.stringify([stripAt(target), tls?.key ?? null]);
            current.set(keyOf(ref), { ref, target, tls, signature });
          }
        }
    for (const [k, p] of this.probed) {
      if (current.get(k)?.signature === p.signature) continue;
      stop(p);
      this.probed.delete(k);
    }
    for (const [k, spec] of current) {
      if (this.probed.has(k)) continue;
      const p: Probed = { ...spec, timer: undefined, failures: 0, running: false, stopped: false };
      this.probed.set(k, p);
      const failing = this.o.health.get(p.ref.backend, p.ref.target).status === 'failing';
      if (p.target.kind !== 'stdio' || failing) first.push(this.run(p));
    }
    this.o.health.retain([...current.values()].map((s) => s.ref));
    return Promise.all(first).then(() => undefined);
  }

  /** A stdio child of a configured target started, could not start, or exited on its own. */
  observeStdio(target: NormalizedTarget, e: UpstreamState): void {
    const ref = this.refs.get(target);
    if (!ref || this.closed) return;
    const p = this.probed.get(keyOf(ref));
    if (e.up) {
      this.o.health.ok(ref);
      if (p) {
        p.failures = 0;
        clearTimeout(p.timer);
        p.timer = undefined;
      }
      return;
    }
    this.o.health.failing(ref, e.error.code, e.error.detail);
    if (p && !p.running && p.timer === undefined) this.schedule(p, this.backoff(++p.failures));
  }

  close(): void {
    this.closed = true;
    for (const p of this.probed.values()) stop(p);
    this.probed.clear();
  }

  private schedule(p: Probed, ms: number): void {
    clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      p.timer = undefined;
      void this.run(p);
    }, ms);
    p.timer.unref();
  }

  private async run(p: Probed): Promise<void> {
    if (p.stopped || p.running || this.closed) return;
    p.running = true;
    let r: ProbeResult;
    try {
      r = await probeTarget(p.target, this.o.factory, p.tls, this.o.logger, this.o.version);
    } catch (e) {
      r = {
        ok: false,
        error: new UpstreamError('UPSTREAM_PROTOCOL', p.target.name, 'probe failed', { cause: e }),
      };
    } finally {
      p.running = false;
    }
    if (p.stopped) return;
    this.o.onProbe?.(p.ref, r.ok ? 'ok' : r.error.code);
    if (r.ok) {
      p.failures = 0;
      this.o.health.ok(p.ref);
      if (p.target.kind !== 'stdio') this.schedule(p, this.intervalMs);
      return;
    }
    if (p.failures === 0)
      this.o.logger.warn(
        { backend: p.ref.backend, target: p.ref.target, code: r.error.code, err: r.error.detail },
        'target probe failed',
      );
    this.o.health.failing(p.ref, r.error.code, r.error.detail);
    this.schedule(p, this.backoff(++p.failures));
  }

  private backoff(failures: number): number {
    return Math.min(FIRST_BACKOFF_MS * 2 ** Math.min(failures - 1, 20), this.maxBackoffMs);
  }
}

function stop(p: Probed): void {
  p.stopped = true;
  clearTimeout(p.timer);
  p.timer = undefined;
}

function keyOf(ref: TargetRef): string {
  return `${ref.backend}\u0000${ref.target}`;
}

function stripAt(target: NormalizedTarget): unknown {
  const { at: _at, ...rest } = target;
  return rest;
}
