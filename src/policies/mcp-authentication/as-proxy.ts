/**
 * The gateway as a stand-in authorization server for providers whose metadata MCP clients cannot use
 * as is: the provider's document (fetched from the location providers.ts derives) is served rewritten
 * (adapt.ts); client registrations are answered with the configured `clientId` or forwarded to the
 * provider's registration endpoint (its own sends no CORS headers); Entra's authorize and token
 * endpoints are proxied without the `resource` parameter (entra.ts).
 * The upstream document is cached for a few minutes; failures are not cached.
 */
import type { Dispatcher } from 'undici';
import type { RequestContext } from '../../contracts/request-context.js';
import { readBody } from '../../net/read-body.js';
import type { AuthnLogger } from '../jwt/deps.js';
import { describeError, smallRequest } from '../../net/small-request.js';
import { adaptMetadata } from './adapt.js';
import { AUTHORIZATION_SERVER, REGISTRATION_SUFFIX } from './metadata.js';
import { metadataSourceUrl, registrationTarget, type McpProvider } from './providers.js';
import { mockRegistration } from './registration.js';
import { corsHeaders, sendJson } from './respond.js';

export interface AsProxySpec {
  readonly issuer: string;
  readonly provider: McpProvider | undefined;
  /** Auth0's and Okta's `audience` parameter. */
  readonly audience: string | undefined;
  /** A pre-registered client: registrations are answered with it instead of being forwarded. */
  readonly clientId: string | undefined;
  readonly logger: AuthnLogger;
  readonly now: () => number;
  readonly dispatcher: Dispatcher | undefined;
  readonly cacheTtlMs: number;
  readonly timeoutMs: number;
}

const MAX_BODY = 256 * 1024;
const MAX_REGISTRATION_REQUEST = 64 * 1024;
export { REGISTRATION_SUFFIX };

export interface AsProxy {
  serveMetadata(ctx: RequestContext, origin: string, rest: string, headOnly: boolean): Promise<void>;
  forwardRegistration(ctx: RequestContext): Promise<void>;
}

export function createAsProxy(spec: AsProxySpec): AsProxy {
  const metadataSource = metadataSourceUrl(spec.issuer, spec.provider);
  const registration = registrationTarget(spec.issuer, spec.provider);
  let cached: { readonly doc: Record<string, unknown>; readonly until: number } | undefined;
  let inflight: Promise<Record<string, unknown>> | undefined;

  const upstreamMetadata = async (): Promise<Record<string, unknown>> => {
    if (cached && spec.now() < cached.until) return cached.doc;
    inflight ??= (async () => {
      const res = await smallRequest(metadataSource, {
        headers: { accept: 'application/json' },
        timeoutMs: spec.timeoutMs,
        maxBytes: MAX_BODY,
        dispatcher: spec.dispatcher,
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      const doc: unknown = JSON.parse(res.body.toString('utf8'));
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
      cached = { doc: doc as Record<string, unknown>, until: spec.now() + spec.cacheTtlMs };
      return cached.doc;
    })().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  return {
    serveMetadata: async function serveAuthorizationServerMetadata(ctx, origin, rest, headOnly) {
      const cors = corsHeaders('GET, OPTIONS');
      let upstream: Record<string, unknown>;
      try {
        upstream = await upstreamMetadata();
      } catch (e) {
        spec.logger.warn(
          { url: metadataSource, reason: describeError(e) },
          'authorization server metadata fetch failed',
        );
        const body = {
          error: 'server_error',
          error_description: 'authorization server metadata unavailable',
        };
        sendJson(ctx.res, 502, body, cors, headOnly);
        return;
      }
      const doc = adaptMetadata(
        upstream,
        { provider: spec.provider, audience: spec.audience },
        `${origin}${AUTHORIZATION_SERVER}${rest}`,
        origin + rest,
      );
      sendJson(ctx.res, 200, doc, cors, headOnly);
    },

    forwardRegistration: async function forwardClientRegistration(ctx) {
      const cors = corsHeaders('POST, OPTIONS');
      let body: Buffer;
      try {
        body = await readBody(ctx.req, MAX_REGISTRATION_REQUEST, () => new Error('too large'));
      } catch {
        sendJson(
          ctx.res,
          413,
          { error: 'invalid_client_metadata', error_description: 'request too large' },
          cors,
        );
        return;
      }
      if (spec.clientId !== undefined) {
        sendJson(ctx.res, 201, mockRegistration(body, spec.clientId), cors);
        return;
      }
      if ('unsupported' in registration) {
        const err = { error: 'invalid_client_metadata', error_description: registration.unsupported };
        sendJson(ctx.res, 400, err, cors);
        return;
      }
      const headers: Record<string, string> = {
        'content-type': ctx.req.headers['content-type'] ?? 'application/json',
        accept: 'application/json',
      };
      // Keycloak and Okta may require an initial access token for registration.
      if (ctx.req.headers.authorization) headers.authorization = ctx.req.headers.authorization;
      try {
        const res = await smallRequest(registration.url, {
          method: 'POST',
          headers,
          body,
          timeoutMs: spec.timeoutMs,
          maxBytes: MAX_BODY,
          dispatcher: spec.dispatcher,
        });
        const type = res.headers['content-type'];
        ctx.res.writeHead(res.status, {
          ...cors,
          'content-type': typeof type === 'string' ? type : 'application/json',
          'content-length': res.body.length,
        });
        ctx.res.end(res.body);
      } catch (e) {
        spec.logger.warn(
          { url: registration.url, reason: describeError(e) },
          'client registration forward failed',
        );
        const err = { error: 'server_error', error_description: 'client registration unavailable' };
        sendJson(ctx.res, 502, err, cors);
      }
    },
  };
}
