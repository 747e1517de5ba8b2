/**
 * How the gateway rewrites a provider's authorization-server metadata before serving it to MCP clients
 * (agentgateway's adaptations), so a client that only speaks the MCP authorization spec (RFC 8414,
 * RFC 7591, RFC 8707, PKCE) can sign in with a provider that lacks some of it:
 * - auth0, okta: no RFC 8707 `resource`, so `authorization_endpoint` carries `audience=<first audience>`;
 * - keycloak, okta, descope: their registration endpoint sends no CORS headers, so a listed
 *   `registration_endpoint` points at the gateway, which forwards (or answers with `clientId`);
 * - authentik, entra: no registration at all, so the gateway's endpoint is added (answered with `clientId`);
 * - entra: rejects `resource`, so `authorization_endpoint`/`token_endpoint` point at the gateway, which
 *   strips it (entra.ts); PKCE S256 is advertised since Entra supports it without saying so;
 * - with any provider the gateway is the authorization server, so `issuer` is the gateway's URL for it.
 */
import { REGISTRATION_SUFFIX } from './metadata.js';
import type { McpProvider } from './providers.js';

export const ENTRA_AUTHORIZE_SUFFIX = '/authorize';
export const ENTRA_TOKEN_SUFFIX = '/token';

export interface AdaptSpec {
  readonly provider: McpProvider | undefined;
  /** The first configured audience (auth0, okta). */
  readonly audience: string | undefined;
}

/**
 * `selfUrl`: this document's URL on the gateway (`<origin>/.well-known/oauth-authorization-server<path>`);
 * `issuer`: the gateway as issuer (`<origin><path>`).
 */
export function adaptMetadata(
  upstream: Readonly<Record<string, unknown>>,
  spec: AdaptSpec,
  selfUrl: string,
  issuer: string,
): Record<string, unknown> {
  const doc: Record<string, unknown> = { ...upstream };
  const p = spec.provider;
  if (p === undefined) return doc;
  if ((p === 'auth0' || p === 'okta') && spec.audience)
    doc.authorization_endpoint = withQuery(doc.authorization_endpoint, 'audience', spec.audience);
  const registration = selfUrl + REGISTRATION_SUFFIX;
  if (p === 'keycloak' || p === 'authentik' || p === 'entra') doc.registration_endpoint = registration;
  else if ((p === 'okta' || p === 'descope') && typeof doc.registration_endpoint === 'string')
    doc.registration_endpoint = registration;
  if (p === 'entra') {
    doc.authorization_endpoint = selfUrl + ENTRA_AUTHORIZE_SUFFIX;
    doc.token_endpoint = selfUrl + ENTRA_TOKEN_SUFFIX;
    doc.code_challenge_methods_supported ??= ['S256'];
  }
  doc.issuer = issuer;
  return doc;
}

function withQuery(endpoint: unknown, name: string, value: string): unknown {
  if (typeof endpoint !== 'string') return endpoint;
  try {
    const u = new URL(endpoint);
    u.searchParams.set(name, value);
    return u.toString();
  } catch {
    return endpoint; // not a URL: leave it as the server sent it
  }
}
