/**
 * The state of every remote JWKS a config uses, for readiness (`/healthz/ready`, `/api/ready`), the
 * `portcullis_jwks_available` gauge and `explain`: a source is available once one fetch succeeded;
 * until then tokens of its routes are refused with the reason (./remote-jwks.ts).
 */
import type { ConfigPath } from '../../config/types.js';

export interface RemoteJwksStatus {
  /** The JWKS URL without userinfo or query (safe for logs, metrics and the admin API). */
  readonly url: string;
  /** Where the URL sits in the config. */
  readonly at: ConfigPath;
  /** Why there are no keys yet; undefined once keys were fetched. */
  unavailable(): string | undefined;
}
