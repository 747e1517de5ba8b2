/**
 * Last line of defence against a credential reaching a log line or a span attribute. The gateway never
 * logs a token on purpose; this catches one hiding inside an upstream's error message or a
 * `fields.add` expression that reads a header.
 */

/** A JWT/JWS/JWE: base64url of `{"` (`eyJ`) then at least two more dot-separated segments. */
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_.-]*/g;
/** `Bearer <credential>` / `Basic <credential>` as in an Authorization header. */
const SCHEME = /\b(Bearer|Basic)(\s+)([A-Za-z0-9._~+/=-]+)/gi;
/** A plain word after "basic"/"bearer" ("basic authentication failed") is prose, not a credential. */
const WORD = /^[a-z]{1,20}$/;
const MAYBE = /eyJ|bearer|basic/i;

export const REDACTED = '[redacted]';

/** `s` with every JWT-shaped string and every `Bearer …`/`Basic …` credential replaced by `[redacted]`. */
export function redactTokens(s: string): string {
  if (!MAYBE.test(s)) return s;
  return s
    .replace(JWT, REDACTED)
    .replace(SCHEME, (m, scheme: string, space: string, cred: string) =>
      WORD.test(cred) ? m : `${scheme}${space}${REDACTED}`,
    );
}
