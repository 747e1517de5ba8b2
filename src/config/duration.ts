/** Duration strings (`250ms`, `10s`, `5m`, `1h`, combinable: `1m30s`, decimals: `1.5s`) → milliseconds. */

const WHOLE = /^(\d+(\.\d+)?(ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Whole milliseconds, or undefined when `text` is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(PART)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(total);
}

/** For values the schema already checked. */
export function durationMs(text: string | undefined, fallbackMs: number): number {
  return text === undefined ? fallbackMs : (parseDurationMs(text) ?? fallbackMs);
}
