/**
 * Where apiKey and basicAuth find a credential (agentgateway's `AuthorizationLocation`): a header (its
 * prefix stripped, compared case-insensitively), a query parameter, a cookie, or a CEL expression.
 * Compiled at load; `remove` takes a verified credential off what the upstream receives.
 */
import type { CredentialLocationConfig } from '../../config/schema/credential-location.js';
import type { ConfigPath } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestContext } from '../../contracts/request-context.js';
import { buildBaseActivation, compileCelExpression } from '../../cel/index.js';

export interface CredentialLocation {
  /** The credential, or undefined when the request carries none here. */
  extract(ctx: RequestContext): string | undefined;
  /** Take the credential off the upstream request (header, query parameter or cookie). */
  remove(ctx: RequestContext): void;
  /** The header name when the location is `Authorization` with this scheme prefix (for the challenge). */
  readonly authorizationScheme: string | undefined;
}

export function compileCredentialLocation(
  cfg: CredentialLocationConfig,
  ctx: BuildContext,
  at: ConfigPath,
): CredentialLocation {
  if ('header' in cfg) {
    const name = cfg.header.name.toLowerCase();
    const prefix = cfg.header.prefix ?? '';
    const lower = prefix.toLowerCase();
    return {
      extract(rc) {
        const v = rc.req.headers[name];
        const text = Array.isArray(v) ? v[0] : v;
        if (text === undefined) return undefined;
        if (!text.toLowerCase().startsWith(lower)) return undefined;
        const cred = text.slice(prefix.length).trim();
        return cred === '' ? undefined : cred;
      },
      remove(rc) {
        delete rc.upstreamHeaders[name];
      },
      authorizationScheme: name === 'authorization' && prefix.trim() ? prefix.trim() : undefined,
    };
  }
  if ('queryParameter' in cfg) {
    const name = cfg.queryParameter.name;
    return {
      extract: (rc) => rc.url.searchParams.get(name) || undefined,
      remove: (rc) => rc.url.searchParams.delete(name),
      authorizationScheme: undefined,
    };
  }
  if ('cookie' in cfg) {
    const name = cfg.cookie.name;
    const read = (header: string | undefined): string | undefined => {
      for (const part of (header ?? '').split(';')) {
        const eq = part.indexOf('=');
        if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
      }
      return undefined;
    };
    return {
      extract: (rc) => read(rc.request.headers['cookie']),
      remove(rc) {
        const kept = (rc.upstreamHeaders['cookie'] ?? '')
          .split(';')
          .filter((p) => p.split('=')[0]?.trim() !== name && p.trim() !== '');
        if (kept.length) rc.upstreamHeaders['cookie'] = kept.map((p) => p.trim()).join('; ');
        else delete rc.upstreamHeaders['cookie'];
      },
      authorizationScheme: undefined,
    };
  }
  const expr = compileCelExpression(cfg.expression, ctx, [...at, 'expression'], {
    variables: 'http',
    expect: 'any',
  });
  return {
    extract(rc) {
      try {
        const v = expr(
          buildBaseActivation({ identity: rc.identity, request: rc.request, source: rc.source }),
        );
        return typeof v === 'string' && v !== '' ? v : undefined;
      } catch {
        return undefined;
      }
    },
    remove: () => {},
    authorizationScheme: undefined,
  };
}
