/**
 * backendAuth (reference §6.1): the Authorization header sent on every HTTP call to `mcp`/`sse` targets.
 * - `passthrough: {}` — the caller's verified token again (jwtAuth stripped it); nothing without identity.
 * - `key: "<secret>"` / `key: {file}` — a fixed bearer, read (and trimmed) at config load.
 */
import type { BackendAuthConfig } from '../../config/schema/policies.js';
import type { ConfigPath } from '../../config/types.js';
import type { BuildContext } from '../../runtime/build-context.js';
import type { Identity } from '../../server/context.js';
import type { CompiledBackendAuth } from '../types.js';

/** Visible ASCII (and inner spaces) only: anything else would break or split the header. */
const HEADER_SAFE = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;

export function compileBackendAuth(
  cfg: BackendAuthConfig,
  ctx: BuildContext,
  at: ConfigPath,
): CompiledBackendAuth {
  if ('passthrough' in cfg) {
    return {
      headersFor: function passthroughBackendAuth(identity: Identity | null): Record<string, string> {
        return identity ? { authorization: `Bearer ${identity.rawToken}` } : {};
      },
    };
  }
  const keyAt: ConfigPath = typeof cfg.key === 'string' ? [...at, 'key'] : [...at, 'key', 'file'];
  const key = typeof cfg.key === 'string' ? cfg.key.trim() : ctx.readFile(cfg.key.file, keyAt).trim();
  if (key === '') throw ctx.error(keyAt, 'backendAuth key is empty');
  if (!HEADER_SAFE.test(key)) {
    throw ctx.error(keyAt, 'backendAuth key contains characters that cannot go in an HTTP header');
  }
  const value = `Bearer ${key}`;
  return {
    headersFor: function keyBackendAuth(): Record<string, string> {
      return { authorization: value };
    },
  };
}
