/**
 * Entra ID's authorize and token endpoints as the gateway advertises them (adapt.ts): Entra's v2.0
 * endpoints reject the RFC 8707 `resource` parameter MCP clients must send, so the gateway
 * - redirects `…/authorize` to the tenant's authorize endpoint with every parameter but `resource`;
 * - forwards a `…/token` POST to the tenant's token endpoint without `resource`, adding the configured
 *   `clientSecret` only for the configured `clientId`, only for user-delegated grants
 *   (`authorization_code`, `refresh_token`) and only when the caller sent no credential of its own:
 *   the endpoint is public, so the secret must never mint tokens for any other grant or client.
 */
import type { Dispatcher } from 'undici';
import type { RequestContext } from '../../contracts/request-context.js';
import { readBody } from '../../net/read-body.js';
import type { AuthnLogger } from '../jwt/deps.js';
import { describeError, smallRequest } from '../../net/small-request.js';
import type { EntraEndpoints } from './providers.js';
import { corsHeaders, sendJson, sendMethodNotAllowed } from './respond.js';

export interface EntraProxySpec {
  readonly endpoints: EntraEndpoints;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly logger: AuthnLogger;
  readonly dispatcher: Dispatcher | undefined;
  readonly timeoutMs: number;
}

const MAX_TOKEN_REQUEST = 64 * 1024;
const MAX_TOKEN_RESPONSE = 256 * 1024;
const DELEGATED_GRANTS: ReadonlySet<string> = new Set(['authorization_code', 'refresh_token']);

export function entraAuthorize(ctx: RequestContext, spec: EntraProxySpec): void {
  const target = new URL(spec.endpoints.authorizationEndpoint);
  for (const [k, v] of ctx.url.searchParams) if (k !== 'resource') target.searchParams.append(k, v);
  ctx.res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store', 'content-length': 0 });
  ctx.res.end();
}

/** The token form without `resource`, plus what decides whether the secret may be added. */
function stripTokenForm(
  body: string,
  spec: Pick<EntraProxySpec, 'clientId' | 'clientSecret'>,
  callerAuthenticated: boolean,
): string {
  const form = new URLSearchParams(body);
  form.delete('resource');
  const grant = form.get('grant_type');
  if (
    !callerAuthenticated &&
    !form.has('client_secret') &&
    spec.clientSecret !== undefined &&
    spec.clientId !== undefined &&
    form.get('client_id') === spec.clientId &&
    grant !== null &&
    DELEGATED_GRANTS.has(grant)
  )
    form.append('client_secret', spec.clientSecret);
  return form.toString();
}

export async function entraToken(ctx: RequestContext, spec: EntraProxySpec): Promise<void> {
  const cors = corsHeaders('POST, OPTIONS');
  if (ctx.req.method !== 'POST') {
    sendMethodNotAllowed(ctx.res, 'POST, OPTIONS', cors);
    return;
  }
  let body: Buffer;
  try {
    body = await readBody(ctx.req, MAX_TOKEN_REQUEST, () => new Error('too large'));
  } catch {
    sendJson(ctx.res, 413, { error: 'invalid_request', error_description: 'request too large' }, cors);
    return;
  }
  const authorization = ctx.req.headers.authorization;
  const form = stripTokenForm(body.toString('utf8'), spec, authorization !== undefined);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (authorization) headers.authorization = authorization;
  try {
    const res = await smallRequest(spec.endpoints.tokenEndpoint, {
      method: 'POST',
      headers,
      body: form,
      timeoutMs: spec.timeoutMs,
      maxBytes: MAX_TOKEN_RESPONSE,
      dispatcher: spec.dispatcher,
    });
    const type = res.headers['content-type'];
    ctx.res.writeHead(res.status, {
      ...cors,
      'cache-control': 'no-store',
      'content-type': typeof type === 'string' ? type : 'application/json',
      'content-length': res.body.length,
    });
    ctx.res.end(res.body);
  } catch (e) {
    spec.logger.warn(
      { url: spec.endpoints.tokenEndpoint, reason: describeError(e) },
      'token request forward failed',
    );
    sendJson(ctx.res, 502, { error: 'server_error', error_description: 'token endpoint unavailable' }, cors);
  }
}
