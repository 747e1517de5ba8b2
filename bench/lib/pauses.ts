/**
 * What stalls a process's event loop while a bench measures it: garbage-collection pauses (`gc`
 * performance entries) and event-loop delay (`monitorEventLoopDelay`, sampled every millisecond). The
 * delay covers everything that keeps a ready callback from running: long synchronous work, GC, and the
 * process not being scheduled at all (on a 2-core machine running three busy processes, that last one).
 *
 * Measured windows are named by a key (a scenario and a side); a key's windows add up, so the rounds of
 * one side, interleaved with the other sides' rounds, give one summary.
 *
 * Not free: the 1 ms delay timer wakes an idle process 1,000 times a second (≈ 25 ms CPU per second
 * on the 2-vCPU VM, less when the loop is busy anyway). `BENCH_PAUSES=0` in the environment (the
 * benches' `--no-pauses`) turns every monitor off, child processes' included.
 */
import {
  constants,
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
  type IntervalHistogram,
} from 'node:perf_hooks';

export interface PauseSummary {
  /** Measured time over all the key's windows, ms. */
  readonly windowMs: number;
  /** GC pauses that started inside the windows: count, of which mark-compact (major), total, longest. */
  readonly gcCount: number;
  readonly gcMajor: number;
  readonly gcTotalMs: number;
  readonly gcMaxMs: number;
  /** Each of those pauses: [start as epoch ms (performance.timeOrigin + startTime), duration ms]. */
  readonly gcPauses: readonly (readonly [number, number])[];
  /** Event-loop delay beyond the 1 ms sampling interval, ms (p99 from the HDR histogram's points). */
  readonly loopP50Ms: number;
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
}

const OFF: PauseSummary = {
  windowMs: NaN,
  gcCount: NaN,
  gcMajor: NaN,
  gcTotalMs: NaN,
  gcMaxMs: NaN,
  gcPauses: [],
  loopP50Ms: NaN,
  loopP99Ms: NaN,
  loopMaxMs: NaN,
};

/** Sampling interval of the event-loop delay histogram, ms (its values include it; it is subtracted). */
const RESOLUTION_MS = 1;
/** GC entries kept (a few dozen a second under load; enough for a whole bench run). */
const MAX_GC_ENTRIES = 200_000;

interface GcEntry {
  readonly start: number;
  readonly duration: number;
  readonly major: boolean;
}

interface Window {
  readonly start: number;
  readonly end: number;
}

/** The (value, sample count) points of one window's loop-delay histogram, value in ms. */
type Points = [number, number][];

/** False when `BENCH_PAUSES=0`: monitors record nothing and summaries are NaN. */
export const pausesEnabled = (): boolean => process.env.BENCH_PAUSES !== '0';

export class PauseMonitor {
  readonly #enabled = pausesEnabled();
  readonly #eld: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  readonly #gc: GcEntry[] = [];
  readonly #observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (this.#gc.length >= MAX_GC_ENTRIES) return;
      const kind = (e as { detail?: { kind?: number } }).detail?.kind ?? 0;
      this.#gc.push({
        start: e.startTime,
        duration: e.duration,
        major: (kind & constants.NODE_PERFORMANCE_GC_MAJOR) !== 0,
      });
    }
  });
  readonly #windows = new Map<string, Window[]>();
  readonly #points = new Map<string, Points[]>();
  #open: { readonly key: string; readonly start: number } | undefined;

  constructor() {
    if (!this.#enabled) return;
    this.#observer.observe({ entryTypes: ['gc'] });
    this.#eld.enable();
  }

  /** Start a measured window for `key` (ends any open one without recording it). */
  begin(key: string): void {
    this.#eld.reset();
    this.#open = { key, start: performance.now() };
  }

  /** End the open window for `key`; its GC pauses and loop delays count toward `key`'s summary. */
  end(key: string): void {
    const open = this.#open;
    if (!this.#enabled || open?.key !== key) return;
    this.#open = undefined;
    const window = { start: open.start, end: performance.now() };
    this.#windows.set(key, [...(this.#windows.get(key) ?? []), window]);
    const n = this.#eld.count;
    const points: Points = [];
    let previous = 0;
    for (const [percentile, ns] of [...this.#eld.percentiles.entries()].sort((a, b) => a[0] - b[0])) {
      const count = (n * (percentile - previous)) / 100;
      if (count > 0 || points.length === 0) points.push([ns / 1e6, count]);
      previous = percentile;
    }
    this.#points.set(key, [...(this.#points.get(key) ?? []), points]);
  }

  /** Everything recorded for `key` so far (GC entries arrive asynchronously: ask after the run). */
  summary(key: string): PauseSummary {
    if (!this.#enabled) return OFF;
    const windows = this.#windows.get(key) ?? [];
    const inside = (t: number): boolean => windows.some((w) => t >= w.start && t <= w.end);
    const gc = this.#gc.filter((e) => inside(e.start));
    const merged = (this.#points.get(key) ?? []).flat().sort((a, b) => a[0] - b[0]);
    const total = merged.reduce((a, p) => a + p[1], 0);
    const at = (q: number): number => {
      let seen = 0;
      for (const [ms, count] of merged) {
        seen += count;
        if (seen >= q * total) return Math.max(0, ms - RESOLUTION_MS);
      }
      return NaN;
    };
    return {
      windowMs: windows.reduce((a, w) => a + w.end - w.start, 0),
      gcCount: gc.length,
      gcMajor: gc.filter((e) => e.major).length,
      gcTotalMs: gc.reduce((a, e) => a + e.duration, 0),
      gcMaxMs: gc.reduce((a, e) => Math.max(a, e.duration), 0),
      gcPauses: gc.map((e) => [performance.timeOrigin + e.start, e.duration] as const),
      loopP50Ms: at(0.5),
      loopP99Ms: at(0.99),
      loopMaxMs:
        merged.length === 0 ? NaN : Math.max(0, (merged[merged.length - 1]?.[0] ?? 0) - RESOLUTION_MS),
    };
  }

  close(): void {
    if (!this.#enabled) return;
    this.#observer.disconnect();
    this.#eld.disable();
  }
}
