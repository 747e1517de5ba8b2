/**
 * RFC 9728 protected-resource metadata and the URLs derived from the gateway's public address
 * (reference §6.2 items 2–3).
 */
import type { RequestContext } from '../../server/context.js';

export const PROTECTED_RESOURCE = '/.well-known/oauth-protected-resource';
export const AUTHORIZATION_SERVER = '/.well-known/oauth-authorization-server';

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
 * scheme://host[:port] the clients use to reach the gateway: the origin of `resourceMetadata.resource`
 * when configured, else the request's own (Host header and listener scheme).
 */
export function publicOrigin(ctx: RequestContext, configured: string | undefined): string {
  return configured ?? `${ctx.url.protocol}//${ctx.url.host}`;
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
