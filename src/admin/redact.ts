/**
 * Secret redaction for everything the admin API shows (`/config_dump`, the summary's policies).
 * Returns a deep copy; the input is never modified. Redacts:
 * - private JWK members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, and `k` of symmetric keys), also inside
 *   inline JWKS JSON strings;
 * - `backendAuth.key` when it is the key itself (a `{file}` reference keeps its path);
 * - any field whose name is a credential header or a secret (`authorization`, `cookie`, `x-api-key`,
 *   `token`, `password`, `client_secret`, …), wherever it appears (header maps included);
 * - environment values whose name looks secret (`API_KEY`, `GITHUB_TOKEN`, `DB_PASSWORD`, …);
 * - passwords in URLs (`https://user:pass@host` → `https://user:[redacted]@host`).
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
const SECRET_ENV_NAME = /(key|token|secret|passw|credential|auth|cookie|session)/i;

export function redactSecrets<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(value: unknown, parentKey: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, parentKey));
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const isJwk = typeof obj['kty'] === 'string';
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    const lower = key.toLowerCase();
    if (isJwk && (PRIVATE_JWK_MEMBERS.includes(key) || (key === 'k' && obj['kty'] === 'oct'))) continue;
    if (SECRET_FIELDS.has(lower) && v !== null && v !== undefined && typeof v !== 'boolean') {
      out[key] = REDACTED;
    } else if (parentKey === 'backendAuth' && key === 'key' && typeof v === 'string') {
      out[key] = REDACTED;
    } else if (parentKey === 'env' && typeof v === 'string' && SECRET_ENV_NAME.test(key)) {
      out[key] = REDACTED;
    } else {
      out[key] = walk(v, key);
    }
  }
  return out;
}

function redactString(s: string): string {
  const t = s.trimStart();
  if (t.startsWith('{') && t.includes('"kty"')) {
    try {
      return JSON.stringify(walk(JSON.parse(t), undefined));
    } catch {
      return REDACTED; // looks like a JWK but does not parse: do not risk showing it
    }
  }
  if (t.includes('-----BEGIN') && t.includes('PRIVATE KEY')) return REDACTED;
  return redactUrlPassword(s);
}

function redactUrlPassword(s: string): string {
  // scheme://user:password@host… → scheme://user:[redacted]@host…
  return s.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)([^/@\s]+)@/i, `$1${REDACTED}@`);
}
