import type { PeerCertificate } from 'node:tls';

/**
 * TLS options for HTTPS upstreams (a subset of `tls.connect` options, PEM text; the route's backendTLS).
 * `key` is equal for equal options, and connection pools are keyed by origin + `key`.
 */
export interface UpstreamTls {
  readonly key: string;
  readonly connect: {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly servername?: string;
    readonly rejectUnauthorized?: boolean;
    readonly checkServerIdentity?: (hostname: string, cert: PeerCertificate) => Error | undefined;
  };
}
