/**
 * jwtAuth: config → key sources (imported at load) → authenticator. Both config
 * shapes — `{issuer, audiences, jwks}` and `{providers: […]}` — become a list of providers.
 */
import type { AuthLocationConfig } from '../../config/schema/auth-location.js';
import type { ConfigPath } from '../../config/types.js';
import type { JwksSourceConfig, JwtAuthConfig } from '../../config/schema/policies.js';
import type { BuildContext } from '../../contracts/build-context.js';
import type { CompiledAuthenticator } from '../types.js';
import { createAuthenticator, type JwtMode } from './authenticator.js';
import { DEFAULT_REMOTE_JWKS_TIMING, SILENT_LOGGER, type JwtAuthDeps } from './deps.js';
import { durationMs } from '../../config/duration.js';
import { createExtractor, type Extractor } from './extract.js';
import { staticKeySource, type KeySource } from './key-source.js';
import { importKeySetText, KeySetError } from './keys.js';
import { displayUrl } from '../../net/display-url.js';
import { isLoopback } from '../../net/loopback.js';
import { loadRemoteJwks, type RemoteJwksDeps } from './remote-jwks.js';
import type { Provider } from './verify.js';

export type { JwtAuthDeps, AuthnLogger } from './deps.js';
export { AuthnError } from './reasons.js';

const DEFAULT_CLOCK_SKEW_MS = 60_000;

export interface ProviderSpec {
  readonly issuer: string;
  readonly audiences: readonly string[] | undefined;
  readonly jwks: JwksSourceConfig;
  /** Where `jwks` sits in the config (errors point there). */
  readonly jwksAt: ConfigPath;
  /** Where a URL fetch error points, when not `jwksAt` + `url` (mcpAuthentication's `jwksUrl`). */
  readonly urlAt?: ConfigPath;
  /** `jwtValidationOptions.requiredClaims`. */
  readonly requiredClaims?: readonly string[] | undefined;
}

export interface AuthenticatorConfig {
  readonly mode: JwtMode;
  /** agentgateway's `location` (default Authorization: Bearer). */
  readonly location?: AuthLocationConfig | undefined;
  /** The field `location` was read from, for errors (default `location`; mcpAuthentication: `authorizationLocation`). */
  readonly locationField?: string;
  readonly providers: readonly ProviderSpec[];
  readonly clockSkew: string | undefined;
  readonly at: ConfigPath;
}

export async function compileJwtAuth(
  cfg: JwtAuthConfig,
  ctx: BuildContext,
  at: ConfigPath,
  deps: JwtAuthDeps = {},
): Promise<CompiledAuthenticator> {
  const providers: ProviderSpec[] =
    'providers' in cfg
      ? cfg.providers.map((p, i) => ({
          issuer: p.issuer,
          audiences: p.audiences,
          jwks: p.jwks,
          jwksAt: [...at, 'providers', i, 'jwks'],
          requiredClaims: p.jwtValidationOptions?.requiredClaims,
        }))
      : [
          {
            issuer: cfg.issuer,
            audiences: cfg.audiences,
            jwks: cfg.jwks,
            jwksAt: [...at, 'jwks'],
            requiredClaims: cfg.jwtValidationOptions?.requiredClaims,
          },
        ];
  return buildAuthenticator(
    { mode: cfg.mode ?? 'optional', location: cfg.location, providers, clockSkew: cfg.clockSkew, at },
    ctx,
    deps,
  );
}

/** Shared with mcpAuthentication, which builds its provider from issuer/audience/jwksUrl. */
export async function buildAuthenticator(
  cfg: AuthenticatorConfig,
  ctx: BuildContext,
  deps: JwtAuthDeps,
): Promise<CompiledAuthenticator> {
  const logger = deps.logger ?? SILENT_LOGGER;
  const now = deps.now ?? Date.now;
  const remote: RemoteJwksDeps = {
    timing: { ...DEFAULT_REMOTE_JWKS_TIMING, ...deps.remoteJwks },
    logger,
    now,
    dispatcher: deps.dispatcher,
    onRefresh: deps.onJwksRefresh,
  };
  const providers: Provider[] = [];
  try {
    for (const p of cfg.providers) {
      const source = await loadKeySource(p, ctx, remote, deps.onRemoteJwks);
      providers.push({
        issuer: p.issuer,
        audiences: p.audiences ?? [],
        source,
        ...(p.requiredClaims ? { requiredClaims: p.requiredClaims } : {}),
      });
    }
  } catch (e) {
    for (const p of providers) p.source.close();
    throw e;
  }
  warnSharedKids(providers, cfg, ctx);
  return createAuthenticator({
    mode: cfg.mode,
    providers,
    clockSkewMs: durationMs(cfg.clockSkew, DEFAULT_CLOCK_SKEW_MS),
    logger,
    now,
    cacheMax: deps.cacheMax ?? 1000,
    extract: tokenExtractor(cfg, ctx),
  });
}

async function loadKeySource(
  p: ProviderSpec,
  ctx: BuildContext,
  remote: RemoteJwksDeps,
  onRemote: JwtAuthDeps['onRemoteJwks'],
): Promise<KeySource> {
  const { jwks, jwksAt: at } = p;
  if (typeof jwks === 'string') {
    if (!jwks.trimStart().startsWith('{')) {
      throw ctx.error(at, 'inline JWKS must be a JSON object (for a file, write `jwks: {file: <path>}`)');
    }
    return staticKeySource(await located(() => importKeySetText(jwks), ctx, at, 'inline JWKS'));
  }
  if ('file' in jwks) {
    const fileAt = [...at, 'file'];
    const text = ctx.readFile(jwks.file, fileAt);
    return staticKeySource(
      await located(
        () =>
          importKeySetText(text).catch((e: unknown) => {
            // Never echo the file's bytes: the path may name any file (a key, /etc/shadow).
            if (e instanceof KeySetError && e.notJwks)
              throw new KeySetError(`file ${jwks.file} is not a JWKS (a JSON object with a "keys" array)`);
            throw e;
          }),
        ctx,
        fileAt,
        'JWKS file',
      ),
    );
  }
  const urlAt = p.urlAt ?? [...at, 'url'];
  const url = new URL(jwks.url);
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    ctx.warn(urlAt, `JWKS is fetched over plain http from ${url.host}; use https outside local development`);
  }
  const source = await loadRemoteJwks(jwks.url, remote);
  onRemote?.({ url: displayUrl(jwks.url), at: urlAt, unavailable: () => source.unavailable?.() });
  if (source.startupError !== undefined) {
    ctx.warn(
      urlAt,
      `cannot fetch JWKS from ${displayUrl(jwks.url)}: ${source.startupError} (the gateway starts; tokens for this route are refused until a retry succeeds)`,
    );
  }
  return source;
}

async function located<T>(fn: () => Promise<T>, ctx: BuildContext, at: ConfigPath, what: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof KeySetError) throw ctx.error(at, `${what}: ${e.message}`);
    throw e;
  }
}

function warnSharedKids(providers: readonly Provider[], cfg: AuthenticatorConfig, ctx: BuildContext): void {
  const owner = new Map<string, number>();
  providers.forEach((p, i) => {
    for (const kid of p.source.current().byKid.keys()) {
      const first = owner.get(kid);
      if (first === undefined) owner.set(kid, i);
      else
        ctx.warn(
          cfg.at,
          `kid "${kid}" is published by providers ${first} and ${i}; tokens use provider ${first}`,
        );
    }
  });
}

/** `location` at load: an `expression` is not supported; the others read the token where it says. */
function tokenExtractor(cfg: AuthenticatorConfig, ctx: BuildContext): Extractor {
  const loc = cfg.location;
  if (loc && 'expression' in loc) {
    const at = [...cfg.at, cfg.locationField ?? 'location', 'expression'];
    throw ctx.error(at, 'not supported yet: expression (token location)');
  }
  return createExtractor(loc);
}
