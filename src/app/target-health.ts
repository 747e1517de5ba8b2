/**
 * Live status of every MCP target, keyed by backend and target (two backends may both have a target
 * called `db`). Written only by the gateway's own observations — probes (./target-prober.ts) and stdio
 * children starting, failing to start or exiting on their own — never by the outcome of a client's call,
 * so a cancelled call or a client's bad argument cannot turn a target (or readiness) red.
 */
import type { UpstreamErrorCode } from '../errors/upstream.js';

export type TargetState = 'ok' | 'failing' | 'idle';

export interface TargetHealthEntry {
  readonly status: TargetState;
  /** Client-safe reason of the last failure (`connection refused`). */
  readonly error?: string;
  readonly code?: UpstreamErrorCode;
  /** Epoch ms of the last change. */
  readonly at: number;
}

export interface TargetRef {
  readonly backend: string;
  readonly target: string;
}

/** Told of every change (the `portcullis_target_up` gauge). */
export type HealthListener = (ref: TargetRef, entry: TargetHealthEntry | undefined) => void;

const IDLE: TargetHealthEntry = { status: 'idle', at: 0 };

export class TargetHealth {
  private readonly entries = new Map<string, { ref: TargetRef; entry: TargetHealthEntry }>();
  private readonly listener: HealthListener | undefined;

  constructor(listener?: HealthListener) {
    this.listener = listener;
  }

  get(backend: string, target: string): TargetHealthEntry {
    return this.entries.get(key(backend, target))?.entry ?? IDLE;
  }

  ok(ref: TargetRef): void {
    this.set(ref, { status: 'ok', at: Date.now() });
  }

  failing(ref: TargetRef, code: UpstreamErrorCode, error: string): void {
    this.set(ref, { status: 'failing', code, error, at: Date.now() });
  }

  /** Every failing target. */
  allFailing(): (TargetRef & TargetHealthEntry)[] {
    return [...this.entries.values()]
      .filter((e) => e.entry.status === 'failing')
      .map((e) => ({ ...e.ref, ...e.entry }));
  }

  /** Forget targets no longer configured (after a reload). */
  retain(refs: readonly TargetRef[]): void {
    const keep = new Set(refs.map((r) => key(r.backend, r.target)));
    for (const [k, e] of this.entries) {
      if (keep.has(k)) continue;
      this.entries.delete(k);
      this.listener?.(e.ref, undefined);
    }
  }

  private set(ref: TargetRef, entry: TargetHealthEntry): void {
    this.entries.set(key(ref.backend, ref.target), { ref, entry });
    this.listener?.(ref, entry);
  }
}

function key(backend: string, target: string): string {
  return `${backend}\u0000${target}`;
}
