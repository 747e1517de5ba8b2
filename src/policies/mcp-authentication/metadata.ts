/**
 * RFC 9728 protected-resource metadata and the URLs derived from the gateway's public address
 *.
 */
import { isValidHostHeader } from '../../net/host-header.js';
import type { RequestContext } from '../../contracts/request-context.js';

export const PROTECTED_RESOURCE = '/.well-known/oauth-protected-resource';
export const AUTHORIZATION_SERVER = '/.well-known/oauth-authorization-server';
/** The client-registration endpoint's suffix under an authorization-server URL. */
export const REGISTRATION_SUFFIX = '/client-registration';
const AS_ENDPOINT_SUFFIXES = [REGISTRATION_SUFFIX, '/authorize', '/token'];

/** `resourceMetadata` keys are camelCase in YAML and snake_case on the wire (`scopesSupported` → `scopes_supported`). */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The path after a well-known prefix: `''` or `/…`; undefined when `path` is not under `prefix`. */
export function suffixAfter(path: string, prefix: string): string | undefined {
  if (path === prefix) return '';
  return path.startsWith(prefix + '/') ? path.slice(prefix.length) : undefined;
}

/**
 * The path of the protected resource a discovery URL is about (`/.well-known/oauth-protected-resource/mcp`
 * → `/mcp`; the authorization-server documents and the registration proxy likewise), or undefined when
 * `path` is not a discovery URL. The router sends a discovery URL to the route serving that resource,
 * so the URL a 401 advertises answers under any path-prefix route.
 */
export function discoveryResourcePath(path: string): string | undefined {
  const asRest = suffixAfter(path, AUTHORIZATION_SERVER);
  const rest = suffixAfter(path, PROTECTED_RESOURCE) ?? asRest;
  if (rest === undefined) return undefined;
  // The endpoints the gateway serves under an authorization-server URL: registration, and Entra's
  // authorize/token proxies.
  const suffix = asRest === undefined ? undefined : AS_ENDPOINT_SUFFIXES.find((s) => rest.endsWith(s));
  const resource = suffix === undefined ? rest : rest.slice(0, -suffix.length);
  return resource === '' ? '/' : resource;
}

/**
 * scheme://host[:port] the clients use to reach the gateway: the origin of `resourceMetadata.resource`
 * when configured (set it behind a TLS-terminating proxy or a load balancer), else the request's own
 * (listener scheme and Host header) — undefined when that Host is not a valid host[:port], so a forged
 * Host never becomes part of an advertised URL.
 */
export function publicOrigin(ctx: RequestContext, configured: string | undefined): string | undefined {
  if (configured !== undefined) return configured;
  const host = ctx.req.headers.host;
  return isValidHostHeader(host) ? `${ctx.url.protocol}//${host.toLowerCase()}` : undefined;
}

/** Where the metadata of the resource at `path` lives (RFC 9728 §3.1: well-known prefix + resource path). */
export function metadataUrl(origin: string, path: string): string {
  return `${origin}${PROTECTED_RESOURCE}${path === '/' ? '' : path}`;
}

export interface ProtectedResourceSpec {
  readonly issuer: string;
  /** With an AS-proxying provider (auth0, keycloak), the gateway itself is the authorization server. */
  readonly proxiesAuthorizationServer: boolean;
  readonly scopesSupported: readonly string[] | undefined;
  /** `resourceMetadata`, already snake_cased; overrides computed fields. */
  readonly extra: Readonly<Record<string, unknown>>;
}

export function protectedResourceMetadata(
  spec: ProtectedResourceSpec,
  origin: string,
  resourcePath: string,
): Record<string, unknown> {
  const resource = origin + resourcePath;
  return {
    resource,
    authorization_servers: [spec.proxiesAuthorizationServer ? resource : spec.issuer],
    ...(spec.scopesSupported ? { scopes_supported: spec.scopesSupported } : {}),
    bearer_methods_supported: ['header'],
    ...spec.extra,
  };
}
