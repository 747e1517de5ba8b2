/**
 * Where each mcpAuthentication `provider` keeps its documents, derived from the configured issuer
 * (agentgateway's rules):
 *
 * | provider  | metadata fetched from                              | default JWKS                            | registration forwarded to                      |
 * |-----------|----------------------------------------------------|-----------------------------------------|------------------------------------------------|
 * | none, auth0 | RFC 8414 `<origin>/.well-known/oauth-authorization-server<issuer path>` | `<issuer>/.well-known/jwks.json` | (none / `<issuer>/clients-registrations/openid-connect`) |
 * | keycloak  | `<issuer>/.well-known/openid-configuration`          | `<issuer>/protocol/openid-connect/certs` | `<issuer>/clients-registrations/openid-connect` |
 * | okta      | `<issuer>/.well-known/openid-configuration`          | `<issuer>/.well-known/jwks.json`        | `<origin>/oauth2/v1/clients`                   |
 * | descope   | `<issuer>/.well-known/openid-configuration`          | `<origin>/<project>/.well-known/jwks.json` for an agentic issuer | `<origin>/v1/mgmt/mcp/client/<project>/<server>/register` |
 * | authentik | `<issuer>/.well-known/openid-configuration`          | `<issuer>/jwks/`                        | none: `clientId` is required                   |
 * | entra     | `https://<login host>/<tenant>/v2.0/.well-known/openid-configuration` | `…/<tenant>/discovery/v2.0/keys` | none: `clientId` is required                   |
 *
 * With `clientId` set, registration is never forwarded: the gateway answers it with that client.
 */

export type McpProvider = 'auth0' | 'keycloak' | 'okta' | 'descope' | 'authentik' | 'entra';

export const MCP_PROVIDERS: readonly McpProvider[] = [
  'auth0',
  'keycloak',
  'okta',
  'descope',
  'authentik',
  'entra',
];

const trimSlash = (s: string): string => s.replace(/\/+$/, '');

/** Entra ID's tenant endpoints; the v1 issuer host (sts.windows.net) maps to the login host. */
export interface EntraEndpoints {
  readonly openidConfiguration: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
}

/** Throws a plain message when the issuer names no tenant. */
export function entraEndpoints(issuer: string): EntraEndpoints {
  const u = new URL(issuer);
  const tenant = u.pathname.split('/').find((s) => s !== '');
  if (!tenant)
    throw new Error(
      'an entra issuer needs the tenant as its first path segment (https://login.microsoftonline.com/<tenant>/v2.0 or https://sts.windows.net/<tenant>/)',
    );
  const host = u.host.toLowerCase() === 'sts.windows.net' ? 'login.microsoftonline.com' : u.host;
  // The v1 issuer is always https; other hosts (sovereign clouds, a test server) keep their scheme.
  const scheme = u.host.toLowerCase() === 'sts.windows.net' ? 'https:' : u.protocol;
  const authority = `${scheme}//${host}/${tenant}`;
  return {
    openidConfiguration: `${authority}/v2.0/.well-known/openid-configuration`,
    authorizationEndpoint: `${authority}/oauth2/v2.0/authorize`,
    tokenEndpoint: `${authority}/oauth2/v2.0/token`,
    jwksUri: `${authority}/discovery/v2.0/keys`,
  };
}

/** RFC 8414 §3: the well-known segment goes between the origin and the issuer's path. */
function rfc8414MetadataUrl(issuer: string): string {
  const u = parseUrl(issuer);
  // An issuer that is not a URL (a JWKS is then configured): appended, as agentgateway does.
  if (!u) return `${trimSlash(issuer)}/.well-known/oauth-authorization-server`;
  return `${u.origin}/.well-known/oauth-authorization-server${trimSlash(u.pathname)}`;
}

function parseUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

/** Where the provider's authorization-server metadata is fetched from. */
export function metadataSourceUrl(issuer: string, provider: McpProvider | undefined): string {
  switch (provider) {
    case 'keycloak':
    case 'okta':
    case 'descope':
    case 'authentik':
      return `${trimSlash(issuer)}/.well-known/openid-configuration`;
    case 'entra':
      return entraEndpoints(issuer).openidConfiguration;
    default:
      return rfc8414MetadataUrl(issuer);
  }
}

/** `[project, server]` of a Descope agentic issuer (`/v1/apps/agentic/<project>/<server>`). */
function descopeAgentic(u: URL): readonly [string, string] | undefined {
  const s = u.pathname.replace(/^\/+/, '').split('/');
  return s.length >= 5 && s[0] === 'v1' && s[1] === 'apps' && s[2] === 'agentic' && s[3] && s[4]
    ? [s[3], s[4]]
    : undefined;
}

/** The JWKS used when the config sets neither `jwks` nor `jwksUrl`. */
export function defaultJwksUrl(issuer: string, provider: McpProvider | undefined): string {
  const base = trimSlash(issuer);
  switch (provider) {
    case 'keycloak':
      return `${base}/protocol/openid-connect/certs`;
    case 'authentik':
      return `${base}/jwks/`;
    case 'entra':
      return entraEndpoints(issuer).jwksUri;
    case 'descope': {
      const u = new URL(issuer);
      const agentic = descopeAgentic(u);
      return agentic ? `${u.origin}/${agentic[0]}/.well-known/jwks.json` : `${base}/.well-known/jwks.json`;
    }
    default:
      return `${base}/.well-known/jwks.json`;
  }
}

/**
 * Where a client registration is forwarded when no `clientId` is configured: a URL, or the reason
 * there is none (the provider has no Dynamic Client Registration).
 */
export function registrationTarget(
  issuer: string,
  provider: McpProvider | undefined,
): { url: string } | { unsupported: string } {
  const base = trimSlash(issuer);
  const u = parseUrl(issuer);
  switch (provider) {
    case 'okta':
      return u ? { url: `${u.origin}/oauth2/v1/clients` } : { unsupported: 'the issuer is not a URL' };
    case 'descope': {
      const agentic = u && descopeAgentic(u);
      return u && agentic
        ? { url: `${u.origin}/v1/mgmt/mcp/client/${agentic[0]}/${agentic[1]}/register` }
        : { unsupported: 'Descope registration needs an agentic issuer URL; set clientId' };
    }
    case 'authentik':
      return { unsupported: 'authentik has no Dynamic Client Registration; set clientId' };
    case 'entra':
      return { unsupported: 'Entra ID has no Dynamic Client Registration; set clientId' };
    default:
      return { url: `${base}/clients-registrations/openid-connect` };
  }
}

/** Providers whose registration endpoint the gateway serves (a proxy or the `clientId` answer). */
export function servesRegistration(provider: McpProvider | undefined, clientId: string | undefined): boolean {
  return clientId !== undefined || (provider !== undefined && provider !== 'auth0');
}
