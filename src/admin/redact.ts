/**
 * Secret redaction for everything the admin API shows (`/config_dump`, `GET /config`, the summary's
 * policies). Returns a deep copy; the input is never modified.
 *
 * Redaction is by STRUCTURE: every field of the config that can hold a secret is redacted whatever it is
 * called, because a list of secret-looking names always misses one (`DB_PASS`, `*_DSN`,
 * `x-goog-api-key`, …). The fields (the same in the config file and in the normalized config):
 * - `backendAuth`: every string in it (the key itself), except a `{file}` reference's path;
 * - stdio targets: every value of `env` and every element of `args` (`cmd` is kept);
 * - header modifiers (`requestHeaderModifier`, `responseHeaderModifier`): every `set` / `add` value
 *   (header names are kept);
 * - header maps (`tracing.headers`, any `headers: {name: value}`): every value;
 * - URLs anywhere (targets, JWKS URLs, the OTLP endpoint): userinfo and query string;
 *   a host target's `path` loses its query string;
 * - JWKs: private members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, and `k` of symmetric keys), also
 *   inside inline JWKS JSON strings; a PEM private key anywhere.
 * As a second layer, fields named like credentials (`authorization`, `cookie`, `token`, `password`,
 * `client_secret`, …) are redacted wherever they appear.
 */

export const REDACTED = '[redacted]';

const SECRET_FIELDS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'apikey',
  'api_key',
  'x-auth-token',
  'x-access-token',
  'token',
  'access_token',
  'accesstoken',
  'refresh_token',
  'id_token',
  'rawtoken',
  'password',
  'secret',
  'client_secret',
  'clientsecret',
  'private_key',
  'privatekey',
  'secretaccesskey',
  'sessiontoken',
]);

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];
const HEADER_MODIFIERS = new Set(['requestHeaderModifier', 'responseHeaderModifier']);

/** How the walker treats the children of a node. */
type Mode = 'plain' | 'allStrings' | 'values';

export function redactSecrets<T>(value: T): T {
  return walk(value, 'plain') as T;
}

function walk(value: unknown, mode: Mode): unknown {
  if (typeof value === 'string') return mode === 'plain' ? redactString(value) : REDACTED;
  if (Array.isArray(value)) return value.map((v) => walk(v, mode));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if (mode === 'allStrings') return walkAllStrings(obj);
  if (mode === 'values') return mapValues(obj, (v) => walk(v, 'allStrings'));
  const isJwk = typeof obj['kty'] === 'string';
  const isStdio = typeof obj['cmd'] === 'string';
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (isJwk && (PRIVATE_JWK_MEMBERS.includes(key) || (key === 'k' && obj['kty'] === 'oct'))) continue;
    out[key] = child(obj, key, v, isStdio);
  }
  return out;
}

function child(parent: Record<string, unknown>, key: string, v: unknown, isStdio: boolean): unknown {
  if (SECRET_FIELDS.has(key.toLowerCase()) && v !== null && v !== undefined && typeof v !== 'boolean')
    return REDACTED;
  if (key === 'backendAuth') return walk(v, 'allStrings');
  if (isStdio && (key === 'env' || key === 'args')) return walk(v, key === 'env' ? 'values' : 'allStrings');
  if (HEADER_MODIFIERS.has(key) && isObject(v))
    return mapValues(v, (m, k) => (k === 'set' || k === 'add' ? walk(m, 'values') : walk(m, 'plain')));
  if (key === 'headers' && isObject(v)) return walk(v, 'values');
  if (key === 'path' && typeof v === 'string' && 'host' in parent) return redactQuery(v);
  return walk(v, 'plain');
}

/** Every string below is a secret, except the path of a `{file}` reference. */
function walkAllStrings(obj: Record<string, unknown>): Record<string, unknown> {
  return mapValues(obj, (v, k) => (k === 'file' && typeof v === 'string' ? v : walk(v, 'allStrings')));
}

function mapValues(
  obj: Record<string, unknown>,
  fn: (v: unknown, k: string) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = fn(v, k);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function redactString(s: string): string {
  const t = s.trimStart();
  if (t.startsWith('{') && t.includes('"kty"')) {
    try {
      return JSON.stringify(walk(JSON.parse(t), 'plain'));
    } catch {
      return REDACTED; // looks like a JWK but does not parse: do not risk showing it
    }
  }
  if (t.includes('-----BEGIN') && t.includes('PRIVATE KEY')) return REDACTED;
  return redactUrl(s);
}

/** `scheme://user:pass@host/p?q#f` → `scheme://[redacted]@host/p?[redacted]#f`. */
function redactUrl(s: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(s.trim());
  if (!m) return s;
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  const at = authority.lastIndexOf('@');
  const host = at === -1 ? authority : `${REDACTED}@${authority.slice(at + 1)}`;
  return scheme + host + redactQuery(rest);
}

function redactQuery(pathAndMore: string): string {
  const q = pathAndMore.indexOf('?');
  if (q === -1) return pathAndMore;
  const hash = pathAndMore.indexOf('#', q);
  return `${pathAndMore.slice(0, q)}?${REDACTED}${hash === -1 ? '' : pathAndMore.slice(hash)}`;
}
