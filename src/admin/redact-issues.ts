/**
 * Config errors in admin answers (`POST /config` issues, `/api/reload`). A config error may quote the
 * value it refused (`expected a list, got "…"`); when the field is one that can hold a secret (the same
 * structure `redact.ts` redacts), the message is replaced, so a secret typed into the wrong shape is not
 * shown back. The path and position still say where to look.
 */
import type { ConfigIssue } from './api.js';

/** Path segments under which a value can be a secret (see redact.ts). */
const SECRET_SEGMENTS = new Set([
  'backendAuth',
  'env',
  'args',
  'requestHeaderModifier',
  'responseHeaderModifier',
  'headers',
  'otlpEndpoint',
]);

export const HIDDEN_VALUE_MESSAGE = 'invalid value (not shown: this field can hold a secret)';

export function redactIssue<T extends Pick<ConfigIssue, 'path' | 'message'>>(issue: T): T {
  const segments = issue.path.split(/[.[\]]+/);
  return segments.some((s) => SECRET_SEGMENTS.has(s)) ? { ...issue, message: HIDDEN_VALUE_MESSAGE } : issue;
}
