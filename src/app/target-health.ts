/**
 * Live target status for the admin UI and readiness, derived from the telemetry the MCP layer already
 * emits (upstream calls and child exits): no extra probing.
 */
import type { McpTelemetry } from '../telemetry/hooks.js';

export interface TargetHealthEntry {
  status: 'ok' | 'failing' | 'idle';
  error?: string;
  at: number;
}

export class TargetHealth {
  private readonly byTarget = new Map<string, TargetHealthEntry>();

  get(target: string): TargetHealthEntry {
    return this.byTarget.get(target) ?? { status: 'idle', at: 0 };
  }

  failing(): [string, TargetHealthEntry][] {
    return [...this.byTarget].filter(([, e]) => e.status === 'failing');
  }

  /** Wraps `inner` so every upstream call also updates the status of its target. */
  wrap(inner: McpTelemetry): McpTelemetry {
    return {
      ...inner,
      mcpRequest: (e) => inner.mcpRequest(e),
      sessionOpened: () => inner.sessionOpened(),
      sessionClosed: () => inner.sessionClosed(),
      childSpawned: (t) => inner.childSpawned(t),
      childExited: (t) => inner.childExited(t),
      upstreamCall: (target, seconds, error) => {
        inner.upstreamCall(target, seconds, error);
        this.byTarget.set(
          target,
          error ? { status: 'failing', error, at: Date.now() } : { status: 'ok', at: Date.now() },
        );
      },
    };
  }
}
