/**
 * The way back from redaction for `POST /config`: the UI edits the config as `GET /config` showed it,
 * secrets redacted. Where the posted document still holds a redacted value exactly as it was shown, the
 * value from the current config file is put back; any other use of the redaction marker is refused, so
 * `[redacted]` is never written into the file as if it were the secret.
 */
import { AdminError } from './types.js';
import { REDACTED, redactSecrets } from './redact.js';

export function restoreRedacted(posted: unknown, current: unknown): unknown {
  return restore(posted, redactSecrets(current), current, []);
}

function restore(posted: unknown, shown: unknown, original: unknown, path: (string | number)[]): unknown {
  if (typeof posted === 'string') {
    if (!posted.includes(REDACTED)) return posted;
    if (posted === shown) return original;
    throw new AdminError(
      400,
      `${where(path)}: ${REDACTED} can only stand for the value that was shown there; ` +
        'type the new value instead',
    );
  }
  if (Array.isArray(posted)) {
    const s = Array.isArray(shown) ? shown : [];
    const o = Array.isArray(original) ? original : [];
    return posted.map((v, i) => {
      const j = counterpart(v, i, posted.length, s);
      return restore(v, j === undefined ? undefined : s[j], j === undefined ? undefined : o[j], [...path, i]);
    });
  }
  if (posted !== null && typeof posted === 'object') {
    const s = record(shown);
    const o = record(original);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(posted as Record<string, unknown>))
      out[k] = restore(v, s[k], o[k], [...path, k]);
    return out;
  }
  return posted;
}

/**
 * Which shown element a posted one stands for: the one with the same `name` (targets, providers), else
 * the one at the same position while the list kept its length; else none, and a redacted value in it
 * is refused (a secret must never move to another element).
 */
function counterpart(v: unknown, i: number, length: number, shown: readonly unknown[]): number | undefined {
  const name = (v as { name?: unknown } | null)?.name;
  if (typeof name === 'string') {
    const j = shown.findIndex((x) => (x as { name?: unknown } | null)?.name === name);
    return j === -1 ? undefined : j;
  }
  return length === shown.length ? i : undefined;
}

function where(path: readonly (string | number)[]): string {
  return path.join('.') || '(root)';
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
