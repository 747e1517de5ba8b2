/**
 * The admin bearer token: where it comes from and how it is compared. The token is the boundary of the
 * admin plane: with it a caller can rewrite the config, which can start commands (stdio targets).
 *
 * Sources, read once at startup: `PORTCULLIS_ADMIN_TOKEN` (the token) or `PORTCULLIS_ADMIN_TOKEN_FILE`
 * (a file holding it; surrounding whitespace is trimmed). Not a config field: the config file is shown
 * and edited through the admin API itself.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const ADMIN_TOKEN_ENV = 'PORTCULLIS_ADMIN_TOKEN';
export const ADMIN_TOKEN_FILE_ENV = 'PORTCULLIS_ADMIN_TOKEN_FILE';
/** Shorter tokens are refused: the token guards command execution. */
export const ADMIN_TOKEN_MIN_LENGTH = 16;

/** The configured admin token, or undefined. Throws a message naming the setting when it is unusable. */
export function adminTokenFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): string | undefined {
  const inline = env[ADMIN_TOKEN_ENV];
  const file = env[ADMIN_TOKEN_FILE_ENV];
  if (inline && file) throw new Error(`set ${ADMIN_TOKEN_ENV} or ${ADMIN_TOKEN_FILE_ENV}, not both`);
  let token: string;
  let from: string;
  if (file) {
    from = `${ADMIN_TOKEN_FILE_ENV} (${file})`;
    try {
      token = readFile(file).trim();
    } catch (e) {
      throw new Error(`${from}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else if (inline !== undefined && inline !== '') {
    from = ADMIN_TOKEN_ENV;
    token = inline.trim();
  } else {
    return undefined;
  }
  if (token.length < ADMIN_TOKEN_MIN_LENGTH || /\s/.test(token))
    throw new Error(
      `${from}: the admin token must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters without whitespace`,
    );
  return token;
}

/** A constant-time check of an `Authorization: Bearer …` header against the token. */
export function bearerMatcher(token: string): (authorization: string | undefined) => boolean {
  const expected = digest(token);
  return function matchesAdminToken(authorization) {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    // Digests have a fixed length, so the comparison time does not depend on the presented token.
    return timingSafeEqual(digest(m?.[1] ?? ''), expected) && m !== null;
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
