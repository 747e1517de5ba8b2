import { STATUS_CODES } from 'node:http';
import { UpstreamError, type UpstreamErrorCode } from '../../errors/upstream.js';

/** Timeouts in effect for the request that failed, so the message can say which one expired. */
export interface TimeoutInfo {
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * A transport failure as a typed error with a short, client-safe detail (never a stack, never a URL with
 * credentials): `connection refused`, `connect timeout after 5000 ms`, `TLS error (CERT_HAS_EXPIRED)`.
 * The code comes from the socket's own error code (undici `UND_ERR_*`, node `E*`), never from a message.
 */
export function networkError(target: string, err: unknown, t: TimeoutInfo, prefix = ''): UpstreamError {
  const [code, detail] = classify(errorCode(err), t);
  return new UpstreamError(code, target, prefix + detail, { cause: err });
}

/** A non-2xx answer of an HTTP upstream. */
export function statusError(target: string, status: number, prefix = ''): UpstreamError {
  return new UpstreamError('UPSTREAM_HTTP_STATUS', target, prefix + describeStatus(status), {
    httpStatus: status,
  });
}

function classify(code: string | undefined, t: TimeoutInfo): [UpstreamErrorCode, string] {
  switch (code) {
    case 'ECONNREFUSED':
      return ['UPSTREAM_CONNECT_REFUSED', 'connection refused'];
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return ['UPSTREAM_UNREACHABLE', 'host not found'];
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return ['UPSTREAM_RESET', 'connection reset'];
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return ['UPSTREAM_TIMEOUT', `connect timeout after ${t.connectTimeoutMs} ms`];
    case 'UND_ERR_HEADERS_TIMEOUT':
      return ['UPSTREAM_TIMEOUT', `no response within ${t.requestTimeoutMs} ms`];
    case 'UND_ERR_BODY_TIMEOUT':
      return ['UPSTREAM_TIMEOUT', `response stalled for ${t.requestTimeoutMs} ms`];
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return ['UPSTREAM_UNREACHABLE', 'host unreachable'];
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return ['UPSTREAM_TLS', `TLS error (${code})`];
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return ['UPSTREAM_CLOSED', 'request aborted'];
    default:
      // Any other certificate or handshake failure (unknown CA, mTLS certificate required, bad alert…).
      if (code && /^ERR_(SSL|TLS)_|CERT/.test(code)) return ['UPSTREAM_TLS', `TLS error (${code})`];
      return ['UPSTREAM_NETWORK', code ? `network error (${code})` : 'network error'];
  }
}

export function describeStatus(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `HTTP ${status} ${text}` : `HTTP ${status}`;
}

export function isAbortError(err: unknown): boolean {
  const code = errorCode(err);
  return (
    code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR' || (err as { name?: unknown })?.name === 'AbortError'
  );
}

function errorCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
