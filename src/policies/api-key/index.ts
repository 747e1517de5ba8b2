/**
 * `apiKey` (agentgateway `LocalAPIKeys`): static API keys, each with metadata. Keys are stored as their
 * SHA-256 digest (a `key` is hashed at load; `keyHash: sha256:<hex>` is taken as is) and looked up by
 * the digest of the presented key, so lookup time does not depend on how many leading bytes match.
 * Modes: `strict` (401 without a valid key), `optional` (default: a missing key passes, a wrong one is
 * 401), `permissive` (a wrong key passes too, unauthenticated). A verified key becomes the request's
 * identity (src/policies/credential/identity.ts): CEL sees `apiKey.<metadata field>` and `apiKey.key`
 * (always `<redacted>`), and the credential is removed before the request goes upstream.
 */
import { createHash } from 'node:crypto';
import type { ApiKeyConfig } from '../../config/schema/api-key.js';
import type { ConfigPath } from '../../config/types.js';
import { GatewayError } from '../../errors/registry.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestContext } from '../../contracts/request-context.js';
import { toCelValue } from '../../cel/index.js';
import { withApiKey } from '../credential/identity.js';
import { compileCredentialLocation } from '../credential/location.js';
import type { CompiledCredentialAuth } from '../types.js';

const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

interface KeyEntry {
  readonly sub: string;
  readonly cel: Readonly<Record<string, unknown>>;
}

export function compileApiKey(cfg: ApiKeyConfig, ctx: BuildContext, at: ConfigPath): CompiledCredentialAuth {
  const keys = new Map<string, KeyEntry>();
  cfg.keys.forEach((k, i) => {
    const digest = 'key' in k ? sha256Hex(k.key) : k.keyHash.slice('sha256:'.length).toLowerCase();
    if (keys.has(digest)) throw ctx.error([...at, 'keys', i], 'duplicate API key');
    const metadata = k.metadata ?? {};
    const cel = toCelValue({ ...metadata, key: '<redacted>' }) as Record<string, unknown>;
    keys.set(digest, { sub: `apikey:${digest.slice(0, 12)}`, cel });
  });
  const mode = cfg.mode ?? 'optional';
  const location = compileCredentialLocation(
    cfg.location ?? { header: { name: 'authorization', prefix: 'Bearer ' } },
    ctx,
    [...at, 'location'],
  );
  const challenge = location.authorizationScheme
    ? { 'www-authenticate': `${location.authorizationScheme} realm="portcullis"` }
    : undefined;
  const refuse = (reason: string): GatewayError =>
    new GatewayError('AUTHN_FAILED', `api key authentication failure: ${reason}`, {
      ...(challenge ? { headers: challenge } : {}),
    });
  return {
    name: 'apiKey',
    authenticate: async function apiKeyAuth(rc: RequestContext) {
      const presented = location.extract(rc);
      if (presented === undefined) {
        if (mode === 'strict') throw refuse('no API Key found');
        return false;
      }
      const entry = keys.get(sha256Hex(presented));
      if (!entry) {
        if (mode === 'permissive') return false;
        throw refuse('invalid credentials');
      }
      rc.identity = withApiKey(rc.identity, entry.sub, entry.cel);
      return true;
    },
    removeCredential: (rc) => location.remove(rc),
  };
}
