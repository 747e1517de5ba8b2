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
      `${path.join('.') || '(root)'}: ${REDACTED} can only stand for the value that was shown there; ` +
        'type the new value instead',
    );
  }
  if (Array.isArray(posted)) {
    const s = Array.isArray(shown) ? shown : [];
    const o = Array.isArray(original) ? original : [];
    return posted.map((v, i) => restore(v, s[i], o[i], [...path, i]));
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

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
