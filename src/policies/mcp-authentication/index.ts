/**
 * mcpAuthentication — the gateway as an OAuth 2.0 protected resource for MCP clients (RFC 9728,
 * agentgateway's fields of every version). It bundles:
 * - an authenticator (jwtAuth semantics; mode default `strict`; JWKS from `jwks`, `jwksUrl` or the
 *   issuer's conventional location),
 * - the public discovery endpoints (`handleWellKnown`), answered before authentication,
 * - the MCP 401 (`challenge`) that tells a client where to start OAuth.
 */
import type { McpAuthenticationConfig, JwksSourceConfig } from '../../config/schema/policies.js';
import type { ConfigPath } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestContext } from '../../contracts/request-context.js';
import { buildAuthenticator } from '../jwt/index.js';
import { DEFAULT_REMOTE_JWKS_TIMING, SILENT_LOGGER, type JwtAuthDeps } from '../jwt/deps.js';
import { extractBearer } from '../jwt/extract.js';
import { headerSafe, REASON } from '../jwt/reasons.js';
import type { CompiledMcpAuthentication } from '../types.js';
import { ENTRA_AUTHORIZE_SUFFIX, ENTRA_TOKEN_SUFFIX } from './adapt.js';
import { createAsProxy, REGISTRATION_SUFFIX } from './as-proxy.js';
import { entraAuthorize, entraToken, type EntraProxySpec } from './entra.js';
import {
  defaultJwksUrl,
  entraEndpoints,
  MCP_PROVIDERS,
  servesRegistration,
  type McpProvider,
} from './providers.js';
import {
  AUTHORIZATION_SERVER,
  metadataUrl,
  PROTECTED_RESOURCE,
  protectedResourceMetadata,
  publicOrigin,
  snakeCase,
  suffixAfter,
} from './metadata.js';
import { corsHeaders, sendJson, sendMethodNotAllowed, sendPreflight } from './respond.js';

export interface McpAuthenticationDeps extends JwtAuthDeps {
  /** How long proxied authorization-server metadata is reused (default 5 min). */
  readonly asMetadataTtlMs?: number;
}

/** RFC 6749 scope-token characters. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export async function compileMcpAuthentication(
  cfg: McpAuthenticationConfig,
  ctx: BuildContext,
  at: ConfigPath,
  deps: McpAuthenticationDeps = {},
): Promise<CompiledMcpAuthentication> {
  const provider = cfg.provider ? MCP_PROVIDERS.find((p) => p in (cfg.provider as object)) : undefined;
  const audiences = cfg.audiences ?? (cfg.audience ? [cfg.audience] : undefined);
  const source = jwksFor(cfg, provider, ctx, at);

  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cfg.resourceMetadata ?? {})) extra[snakeCase(k)] = v;
  const configuredOrigin = originOf(extra.resource, ctx, [...at, 'resourceMetadata', 'resource']);
  const scopes = cfg.scopesSupported;
  scopes?.forEach((s, i) => {
    if (!SCOPE_TOKEN.test(s))
      throw ctx.error([...at, 'scopesSupported', i], `"${s}" is not a valid OAuth scope`);
  });
  const audience = cfg.audience ?? cfg.audiences?.[0];
  if (provider === 'auth0' && !audience) {
    ctx.warn(at, 'provider auth0 without audience: Auth0 will issue opaque tokens the gateway cannot verify');
  }
  if ((provider === 'authentik' || provider === 'entra') && cfg.clientId === undefined) {
    ctx.warn(
      [...at, 'provider'],
      `provider ${provider} has no Dynamic Client Registration: set clientId to a pre-registered client`,
    );
  }
  if (cfg.clientSecret !== undefined && provider !== 'entra')
    ctx.warn([...at, 'clientSecret'], 'clientSecret is only used with provider entra');
  let entra: EntraProxySpec | undefined;
  if (provider === 'entra') {
    let endpoints;
    try {
      endpoints = entraEndpoints(cfg.issuer);
    } catch (e) {
      throw ctx.error([...at, 'issuer'], (e as Error).message);
    }
    entra = {
      endpoints,
      clientId: cfg.clientId,
      clientSecret: cfg.clientSecret,
      logger: deps.logger ?? SILENT_LOGGER,
      dispatcher: deps.dispatcher,
      timeoutMs: deps.remoteJwks?.timeoutMs ?? DEFAULT_REMOTE_JWKS_TIMING.timeoutMs,
    };
  }
  const registers = servesRegistration(provider, cfg.clientId);

  const authenticator = await buildAuthenticator(
    {
      mode: cfg.mode ?? 'strict',
      location: cfg.authorizationLocation,
      locationField: 'authorizationLocation',
      providers: [
        {
          issuer: cfg.issuer,
          audiences,
          ...source,
          requiredClaims: cfg.jwtValidationOptions?.requiredClaims,
        },
      ],
      clockSkew: undefined,
      at,
    },
    ctx,
    deps,
  );
  const asProxy = createAsProxy({
    issuer: cfg.issuer,
    provider,
    audience,
    clientId: cfg.clientId,
    logger: deps.logger ?? SILENT_LOGGER,
    now: deps.now ?? Date.now,
    dispatcher: deps.dispatcher,
    cacheTtlMs: deps.asMetadataTtlMs ?? 5 * 60_000,
    timeoutMs: deps.remoteJwks?.timeoutMs ?? DEFAULT_REMOTE_JWKS_TIMING.timeoutMs,
  });
  const resourceSpec = {
    issuer: cfg.issuer,
    proxiesAuthorizationServer: provider !== undefined,
    scopesSupported: scopes,
    extra,
  };

  return {
    authenticator,

    handleWellKnown: async function mcpWellKnown(rc: RequestContext): Promise<boolean> {
      const path = rc.url.pathname;
      const method = rc.req.method ?? 'GET';
      const origin = publicOrigin(rc, configuredOrigin);
      const isDiscovery =
        suffixAfter(path, PROTECTED_RESOURCE) !== undefined ||
        suffixAfter(path, AUTHORIZATION_SERVER) !== undefined;
      if (!isDiscovery) return false;
      if (origin === undefined) {
        const body = { error: 'invalid_request', error_description: 'invalid Host header' };
        sendJson(rc.res, 400, body, corsHeaders('GET, OPTIONS'));
        return true;
      }

      const resourcePath = suffixAfter(path, PROTECTED_RESOURCE);
      if (resourcePath !== undefined) {
        const cors = corsHeaders('GET, OPTIONS');
        if (method === 'OPTIONS') sendPreflight(rc.res, cors);
        else if (method !== 'GET' && method !== 'HEAD')
          sendMethodNotAllowed(rc.res, 'GET, HEAD, OPTIONS', cors);
        else {
          const doc = protectedResourceMetadata(resourceSpec, origin, resourcePath);
          sendJson(rc.res, 200, doc, cors, method === 'HEAD');
        }
        return true;
      }

      const rest = suffixAfter(path, AUTHORIZATION_SERVER);
      if (rest === undefined) return false;
      if (entra && rest.endsWith(ENTRA_AUTHORIZE_SUFFIX)) {
        if (method === 'GET') entraAuthorize(rc, entra);
        else sendMethodNotAllowed(rc.res, 'GET', {});
        return true;
      }
      if (entra && rest.endsWith(ENTRA_TOKEN_SUFFIX)) {
        const cors = corsHeaders('POST, OPTIONS');
        if (method === 'OPTIONS') sendPreflight(rc.res, cors);
        else await entraToken(rc, entra);
        return true;
      }
      if (registers && rest.endsWith(REGISTRATION_SUFFIX)) {
        const cors = corsHeaders('POST, OPTIONS');
        if (method === 'OPTIONS') sendPreflight(rc.res, cors);
        else if (method !== 'POST') sendMethodNotAllowed(rc.res, 'POST, OPTIONS', cors);
        else await asProxy.forwardRegistration(rc);
        return true;
      }
      const cors = corsHeaders('GET, OPTIONS');
      if (method === 'OPTIONS') sendPreflight(rc.res, cors);
      else if (method !== 'GET' && method !== 'HEAD')
        sendMethodNotAllowed(rc.res, 'GET, HEAD, OPTIONS', cors);
      else await asProxy.serveMetadata(rc, origin, rest, method === 'HEAD');
      return true;
    },

    challenge: function mcpChallenge(rc: RequestContext, reason?: string): void {
      const tokenPresent = extractBearer(rc.req).kind !== 'none';
      const origin = publicOrigin(rc, configuredOrigin);
      const params: string[] = [];
      // Without a trustworthy origin there is no metadata URL to advertise (a forged Host).
      if (origin) params.push(`resource_metadata="${metadataUrl(origin, rc.url.pathname)}"`);
      if (scopes?.length) params.push(`scope="${scopes.join(' ')}"`);
      if (tokenPresent)
        params.push('error="invalid_token"', `error_description="${headerSafe(reason ?? 'invalid token')}"`);
      const www = params.length > 0 ? `Bearer ${params.join(', ')}` : 'Bearer';
      rc.log['authn.reason'] = reason ?? REASON.missing;
      const body = { error: 'unauthorized', error_description: reason ?? 'JWT token required' };
      sendJson(rc.res, 401, body, { 'www-authenticate': www });
    },

    close: function mcpAuthenticationClose() {
      authenticator.close();
    },
  };
}

/** `jwks` wins; else `jwksUrl`; else the provider's JWKS location for the issuer (providers.ts). */
function jwksFor(
  cfg: McpAuthenticationConfig,
  provider: McpProvider | undefined,
  ctx: BuildContext,
  at: ConfigPath,
): { jwks: JwksSourceConfig; jwksAt: ConfigPath; urlAt?: ConfigPath } {
  if (cfg.jwks !== undefined) {
    if (cfg.jwksUrl) throw ctx.error([...at, 'jwksUrl'], 'set either jwks or jwksUrl, not both');
    return { jwks: cfg.jwks, jwksAt: [...at, 'jwks'] };
  }
  if (cfg.jwksUrl) {
    if (!isHttpUrl(cfg.jwksUrl))
      throw ctx.error([...at, 'jwksUrl'], `jwksUrl is not an http(s) URL: ${cfg.jwksUrl}`);
    return { jwks: { url: cfg.jwksUrl }, jwksAt: [...at, 'jwksUrl'], urlAt: [...at, 'jwksUrl'] };
  }
  if (!isHttpUrl(cfg.issuer)) {
    throw ctx.error([...at, 'issuer'], 'issuer is not an http(s) URL, so set jwks or jwksUrl');
  }
  let url: string;
  try {
    url = defaultJwksUrl(cfg.issuer, provider);
  } catch (e) {
    throw ctx.error([...at, 'issuer'], (e as Error).message);
  }
  return { jwks: { url }, jwksAt: [...at, 'issuer'], urlAt: [...at, 'issuer'] };
}

function originOf(resource: unknown, ctx: BuildContext, at: ConfigPath): string | undefined {
  if (resource === undefined) return undefined;
  if (typeof resource !== 'string' || !isHttpUrl(resource)) {
    throw ctx.error(at, 'resourceMetadata.resource must be an absolute http(s) URL');
  }
  return new URL(resource).origin;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
