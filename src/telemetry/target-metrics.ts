/**
 * Target health metrics: `portcullis_target_up{backend,target}` (1 healthy, 0 failing; no series while a
 * target's state is unknown — a stdio target no session has started yet) and
 * `portcullis_target_probes_total{backend,target,code}` (`ok` or the `UPSTREAM_*` code of the failure).
 * Label values come from the config (backend and target names) and the error registry: bounded.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface TargetMetrics {
  /** The target's state changed; undefined = forgotten (removed by a reload). */
  state(ref: { backend: string; target: string }, status: 'ok' | 'failing' | 'idle' | undefined): void;
  probe(ref: { backend: string; target: string }, code: string): void;
}

export function createTargetMetrics(registry: Registry): TargetMetrics {
  const registers = [registry];
  const up = new Gauge({
    name: 'portcullis_target_up',
    help: 'MCP target health from the gateway probes and stdio children: 1 healthy, 0 failing.',
    labelNames: ['backend', 'target'] as const,
    registers,
  });
  const probes = new Counter({
    name: 'portcullis_target_probes_total',
    help: 'Target health probes, by backend, target and result code (ok or UPSTREAM_*).',
    labelNames: ['backend', 'target', 'code'] as const,
    registers,
  });
  return {
    state(ref, status) {
      const labels = { backend: ref.backend, target: ref.target };
      if (status === 'ok') up.set(labels, 1);
      else if (status === 'failing') up.set(labels, 0);
      else up.remove(labels);
    },
    probe(ref, code) {
      probes.inc({ backend: ref.backend, target: ref.target, code });
    },
  };
}
