/**
 * Duration strings → milliseconds, in Go's `time.ParseDuration` spelling that agentgateway accepts:
 * a sequence of decimal numbers with units `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h` — `250ms`, `10s`,
 * `1m30s`, `1h2m3.5s`, `1.5s`, `500us` — and a bare `0`.
 */

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds (fractions below 1 ms rounded to the nearest), or undefined when `text` is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  if (!/^((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(PART)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(total);
}

/** For values the schema already checked. */
export function durationMs(text: string | undefined, fallbackMs: number): number {
  return text === undefined ? fallbackMs : (parseDurationMs(text) ?? fallbackMs);
}
