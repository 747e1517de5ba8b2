/**
 * `basicAuth` (agentgateway `LocalBasicAuth`): HTTP Basic credentials checked against an htpasswd
 * database (inline or `{file}`, watched for reload). `strict` refuses a request without credentials;
 * `optional` (default) lets it through unauthenticated; wrong credentials are always 401 with
 * `WWW-Authenticate: Basic realm="<realm>"` (default `Restricted`). The verified user becomes the
 * identity (`basicAuth.username` in CEL; sessions and rate-limit keys see it) and the credential is
 * removed before the request goes upstream.
 *
 * Bounds: bcrypt is slow on purpose (tens of ms per check), so a flood of wrong passwords could eat
 * the CPU. Checks run at most `CONCURRENT_CHECKS` at a time per policy, with a bounded queue (beyond
 * it: 503 `authentication busy`); successful checks are remembered for a minute (LRU keyed by a
 * SHA-256 of the credential), so a legitimate client pays once.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { BasicAuthConfig } from '../../config/schema/basic-auth.js';
import type { ConfigPath } from '../../config/types.js';
import { GatewayError } from '../../errors/registry.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { RequestContext } from '../../contracts/request-context.js';
import { headerSafe } from '../jwt/reasons.js';
import { withBasicAuth } from '../credential/identity.js';
import { compileCredentialLocation } from '../credential/location.js';
import type { CompiledCredentialAuth } from '../types.js';
import { parseHtpasswd } from './htpasswd.js';

const CONCURRENT_CHECKS = 4;
const QUEUED_CHECKS = 256;
const CACHE = { max: 1000, ttl: 60_000 };
/** Longest `user:password` considered (bcrypt reads 72 bytes anyway). */
const MAX_CREDENTIAL = 1024;

/** A counting semaphore with a bounded queue. */
class Gate {
  #running = 0;
  readonly #queue: (() => void)[] = [];
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= CONCURRENT_CHECKS) {
      if (this.#queue.length >= QUEUED_CHECKS) throw new GatewayError('AUTH_BUSY');
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    }
    this.#running++;
    try {
      return await fn();
    } finally {
      this.#running--;
      this.#queue.shift()?.();
    }
  }
}

export function compileBasicAuth(
  cfg: BasicAuthConfig,
  ctx: BuildContext,
  at: ConfigPath,
): CompiledCredentialAuth {
  const text =
    typeof cfg.htpasswd === 'string'
      ? cfg.htpasswd
      : ctx.readFile(cfg.htpasswd.file, [...at, 'htpasswd', 'file']);
  const { db, problems } = parseHtpasswd(text);
  if (problems.length) throw ctx.error([...at, 'htpasswd'], problems.join('; '));
  if (db.size === 0)
    ctx.warn([...at, 'htpasswd'], 'the htpasswd database has no users: every credential is refused');
  const realm = headerSafe(cfg.realm ?? 'Restricted', 100);
  const mode = cfg.mode ?? 'optional';
  const location = compileCredentialLocation(
    cfg.authorizationLocation ?? { header: { name: 'authorization', prefix: 'Basic ' } },
    ctx,
    [...at, 'authorizationLocation'],
  );
  const refuse = (reason: string): GatewayError =>
    new GatewayError('AUTHN_FAILED', `basic authentication failure: ${reason}`, {
      headers: { 'www-authenticate': `Basic realm="${realm}"` },
    });
  const verified = new LRUCache<string, string>(CACHE);
  const gate = new Gate();
  return {
    name: 'basicAuth',
    authenticate: async function basicAuth(rc: RequestContext) {
      const encoded = location.extract(rc);
      if (encoded === undefined) {
        if (mode === 'strict') throw refuse('no basic auth credentials found');
        return false;
      }
      const decoded =
        encoded.length <= MAX_CREDENTIAL * 2 ? Buffer.from(encoded, 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      if (colon < 0 || decoded.length > MAX_CREDENTIAL) throw refuse('invalid credentials');
      const user = decoded.slice(0, colon);
      const key = createHash('sha256').update(decoded).digest('base64url');
      let ok = verified.get(key) === user;
      if (!ok) {
        ok = await gate.run(() => db.check(user, decoded.slice(colon + 1)));
        if (ok) verified.set(key, user);
      }
      if (!ok) throw refuse('invalid credentials');
      rc.identity = withBasicAuth(rc.identity, user);
      return true;
    },
    removeCredential: (rc) => location.remove(rc),
  };
}
