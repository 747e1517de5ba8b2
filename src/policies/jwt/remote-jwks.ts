/**
 * A JWKS fetched from a URL: fetched at load, refreshed after
 * `Cache-Control: max-age` (default 15 min, at least 60 s), refetched early when a token names an
 * unknown kid (at most once per 30 s). A failed refresh keeps the last good keys, logs a warning and
 * retries after 15 s. When the first fetch fails the gateway still starts: the source has no keys and
 * says why (`unavailable()`: tokens are refused with that reason), and fetching retries with backoff
 * (0.5 s doubling up to the refresh retry interval) until it succeeds. Timers are unref'd and cleared by
 * close().
 */
import type { Dispatcher } from 'undici';
import type { AuthnLogger, RemoteJwksTiming } from './deps.js';
import { describeError, smallRequest } from '../../net/small-request.js';
import type { KeySource } from './key-source.js';
import { importKeySetText, type KeySet } from './keys.js';
import { displayUrl } from '../../net/display-url.js';

const MAX_TTL_MS = 24 * 3_600_000;

/** Refresh interval from a Cache-Control header value. */
export function ttlFromCacheControl(value: string | string[] | undefined, t: RemoteJwksTiming): number {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/i.test(text)) return t.minTtlMs;
  const m = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(text);
  if (!m) return t.defaultTtlMs;
  return Math.min(MAX_TTL_MS, Math.max(t.minTtlMs, Number(m[1]) * 1000));
}

interface Fetched {
  readonly set: KeySet;
  readonly ttlMs: number;
}

async function fetchJwks(
  url: string,
  t: RemoteJwksTiming,
  dispatcher: Dispatcher | undefined,
  signal?: AbortSignal,
): Promise<Fetched> {
  const res = await smallRequest(url, {
    headers: { accept: 'application/jwk-set+json, application/json' },
    timeoutMs: t.timeoutMs,
    maxBytes: t.maxBytes,
    dispatcher,
    signal,
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  const set = await importKeySetText(res.body.toString('utf8'));
  return { set, ttlMs: ttlFromCacheControl(res.headers['cache-control'], t) };
}

export interface RemoteJwksDeps {
  readonly timing: RemoteJwksTiming;
  readonly logger: AuthnLogger;
  readonly now: () => number;
  readonly dispatcher: Dispatcher | undefined;
  /** Told the outcome of every refresh after the first fetch (the `portcullis_jwks_refresh_total` metric). */
  readonly onRefresh?: ((ok: boolean) => void) | undefined;
}

const NO_KEYS: KeySet = { keys: [], byKid: new Map() };
/** First retry after a failed start-up fetch; doubles up to `timing.retryMs`. */
const STARTUP_RETRY_MS = 500;

export interface RemoteKeySource extends KeySource {
  /** Why the first fetch failed, when it did (the load reports it as a warning). */
  readonly startupError: string | undefined;
}

/** Fetch now; a failure leaves the source without keys, retrying with backoff (see above). */
export async function loadRemoteJwks(url: string, deps: RemoteJwksDeps): Promise<RemoteKeySource> {
  const { timing, logger, now, dispatcher } = deps;
  let lastAttempt = now();
  let first: Fetched | undefined;
  let pending: string | undefined;
  try {
    first = await fetchJwks(url, timing, dispatcher);
    deps.onRefresh?.(true);
  } catch (e) {
    pending = describeError(e);
    deps.onRefresh?.(false);
    logger.warn(
      { url: displayUrl(url), reason: pending },
      'JWKS fetch failed at start-up; retrying, tokens are refused until it succeeds',
    );
  }
  const startupError = pending;
  let keys = first?.set ?? NO_KEYS;
  let startupDelay = STARTUP_RETRY_MS;
  let timer: NodeJS.Timeout | undefined;
  let inflight: Promise<boolean> | undefined;
  let closed = false;
  const closing = new AbortController();

  const schedule = (ms: number): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void refresh(), ms);
    timer.unref();
  };

  const refresh = (): Promise<boolean> => {
    if (inflight) return inflight;
    lastAttempt = now();
    inflight = fetchJwks(url, timing, dispatcher, closing.signal)
      .then(
        (got) => {
          if (closed) return false;
          if (pending !== undefined)
            logger.info({ url: displayUrl(url) }, 'JWKS fetched; tokens are verified from now on');
          pending = undefined;
          keys = got.set;
          schedule(got.ttlMs);
          deps.onRefresh?.(true);
          return true;
        },
        (e: unknown) => {
          if (closed) return false;
          deps.onRefresh?.(false);
          if (pending !== undefined) {
            pending = describeError(e);
            startupDelay = Math.min(startupDelay * 2, timing.retryMs);
            schedule(startupDelay);
            return false;
          }
          logger.warn(
            { url: displayUrl(url), reason: describeError(e) },
            'JWKS refresh failed; keeping the last good keys',
          );
          schedule(timing.retryMs);
          return false;
        },
      )
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  schedule(first ? first.ttlMs : Math.min(STARTUP_RETRY_MS, timing.retryMs));

  return {
    startupError,
    current: () => keys,
    unavailable: () => (pending === undefined ? undefined : `JWKS not available yet (${pending})`),
    refreshForUnknownKid() {
      if (closed) return Promise.resolve(false);
      if (inflight) return inflight;
      if (now() - lastAttempt < timing.unknownKidCooldownMs) return Promise.resolve(false);
      return refresh();
    },
    close() {
      closed = true;
      closing.abort();
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
