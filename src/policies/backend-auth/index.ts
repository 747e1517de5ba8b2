/**
 * backendAuth: the credential sent on every HTTP call to `mcp`/`sse` targets.
 * - `passthrough: {}` — the caller's verified token again (jwtAuth stripped it); nothing without identity.
 * - `key: "<secret>"` / `key: {file}` / `key: {value: "<secret>" | {file}}` — a fixed secret, read
 *   (and trimmed) at config load.
 * Both take agentgateway's `location`: a `header` (`prefix` default `Bearer ` on `authorization`, none
 * elsewhere) or a `cookie`; without it, `Authorization: Bearer <token>`.
 */
import type { AuthLocationConfig } from '../../config/schema/auth-location.js';
import type { BackendAuthConfig } from '../../config/schema/policies.js';
import type { ConfigPath } from '../../config/types.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { Identity } from '../../contracts/request-context.js';
import type { CompiledBackendAuth } from '../types.js';

/** Visible ASCII (and inner spaces) only: anything else would break or split the header. */
const HEADER_SAFE = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;
const TOKEN_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Turns a credential into the header that carries it upstream. */
type Place = (credential: string) => Record<string, string>;

function placement(loc: AuthLocationConfig | undefined, ctx: BuildContext, at: ConfigPath): Place {
  if (!loc) return (c) => ({ authorization: `Bearer ${c}` });
  if ('header' in loc) {
    const name = loc.header.name.toLowerCase();
    if (!TOKEN_NAME.test(name)) throw ctx.error([...at, 'header', 'name'], 'not a valid header name');
    const prefix = loc.header.prefix ?? (name === 'authorization' ? 'Bearer ' : '');
    return (c) => ({ [name]: `${prefix}${c}` });
  }
  if ('cookie' in loc) {
    const name = loc.cookie.name;
    if (!TOKEN_NAME.test(name)) throw ctx.error([...at, 'cookie', 'name'], 'not a valid cookie name');
    return (c) => ({ cookie: `${name}=${c}` });
  }
  const kind = 'queryParameter' in loc ? 'queryParameter' : 'expression';
  throw ctx.error([...at, kind], `not supported yet: ${kind} (backendAuth location)`);
}

export function compileBackendAuth(
  cfg: BackendAuthConfig,
  ctx: BuildContext,
  at: ConfigPath,
): CompiledBackendAuth {
  if ('passthrough' in cfg) {
    const place = placement(cfg.passthrough.location, ctx, [...at, 'passthrough', 'location']);
    return {
      headersFor: function passthroughBackendAuth(identity: Identity | null): Record<string, string> {
        return identity ? place(identity.rawToken) : {};
      },
      headerNames: Object.keys(place('x')),
      fixed: false,
    };
  }
  const k = cfg.key;
  const nested = typeof k === 'object' && 'value' in k;
  const secret = nested ? k.value : k;
  const base: ConfigPath = nested ? [...at, 'key', 'value'] : [...at, 'key'];
  const keyAt: ConfigPath = typeof secret === 'string' ? base : [...base, 'file'];
  const key = typeof secret === 'string' ? secret.trim() : ctx.readFile(secret.file, keyAt).trim();
  if (key === '') throw ctx.error(keyAt, 'backendAuth key is empty');
  if (!HEADER_SAFE.test(key)) {
    throw ctx.error(keyAt, 'backendAuth key contains characters that cannot go in an HTTP header');
  }
  const headers = placement(nested ? k.location : undefined, ctx, [...at, 'key', 'location'])(key);
  return {
    headersFor: function keyBackendAuth(): Record<string, string> {
      return { ...headers };
    },
    headerNames: Object.keys(headers),
    fixed: true,
  };
}
