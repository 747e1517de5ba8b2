/**
 * apiKey and basicAuth identities: the same `Identity` jwtAuth produces, so sessions bind to them,
 * `localRateLimit` keys and CEL rules read them (`apiKey.*`, `basicAuth.username`), and the access log
 * names the caller. `jwt` stays null for them in CEL. When jwtAuth also verified a token, the JWT
 * identity is kept and the apiKey/basicAuth fields are added to it.
 */
import type { Identity } from '../../contracts/request-context.js';

export function withApiKey(
  prev: Identity | null,
  sub: string,
  apiKey: Readonly<Record<string, unknown>>,
): Identity {
  if (prev) return { ...prev, apiKey };
  return { claims: {}, celClaims: {}, sub, issuer: 'apiKey', rawToken: '', scheme: 'apiKey', apiKey };
}

export function withBasicAuth(prev: Identity | null, username: string): Identity {
  const basicAuth = { username };
  if (prev) return { ...prev, basicAuth };
  return {
    claims: {},
    celClaims: {},
    sub: username,
    issuer: 'basicAuth',
    rawToken: '',
    scheme: 'basicAuth',
    basicAuth,
  };
}
