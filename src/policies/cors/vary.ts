import type { ServerResponse } from 'node:http';

/** Add field names to the response's `Vary`, keeping what is there and never duplicating (case-insensitive). */
export function addVary(res: ServerResponse, names: readonly string[]): void {
  const current = res.getHeader('vary');
  const existing =
    current === undefined
      ? []
      : String(current)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  if (existing.includes('*')) return;
  const seen = new Set(existing.map((s) => s.toLowerCase()));
  const merged = [...existing];
  for (const n of names) {
    if (!seen.has(n.toLowerCase())) {
      seen.add(n.toLowerCase());
      merged.push(n);
    }
  }
  res.setHeader('vary', merged.join(', '));
}
