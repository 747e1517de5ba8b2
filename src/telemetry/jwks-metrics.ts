/**
 * `portcullis_jwks_available{url}`: 1 once a remote JWKS has been fetched (its routes verify tokens),
 * 0 while its first fetch has not succeeded (their tokens are refused). Read from the config in force at
 * each scrape, so a reload that drops a JWKS drops its series.
 */
import { Gauge, type Registry } from 'prom-client';

export interface JwksSourceView {
  /** Without userinfo or query. */
  readonly url: string;
  unavailable(): string | undefined;
}

export function registerJwksGauge(registry: Registry, sources: () => readonly JwksSourceView[]): void {
  new Gauge({
    name: 'portcullis_jwks_available',
    help: '1 once a remote JWKS has keys, 0 while its first fetch has not succeeded (tokens are refused).',
    labelNames: ['url'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sources()) this.set({ url: s.url }, s.unavailable() === undefined ? 1 : 0);
    },
  });
}
