import { STATUS_CODES } from 'node:http';

/** Timeouts in effect for the request that failed, so the message can say which one expired. */
export interface TimeoutInfo {
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * A short, client-safe description of a transport failure (never a stack, never a URL with credentials):
 * `connection refused`, `connect timeout after 5000 ms`, `HTTP 500 Internal Server Error`.
 */
export function describeNetworkError(err: unknown, t: TimeoutInfo): string {
  const code = errorCode(err);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return `connect timeout after ${t.connectTimeoutMs} ms`;
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `no response within ${t.requestTimeoutMs} ms`;
    case 'UND_ERR_BODY_TIMEOUT':
      return `response stalled for ${t.requestTimeoutMs} ms`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS error (${code})`;
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return 'request aborted';
    default:
      // Any other certificate or handshake failure (unknown CA, mTLS certificate required, bad alert…).
      if (code && /^ERR_(SSL|TLS)_|CERT/.test(code)) return `TLS error (${code})`;
      return code ? `network error (${code})` : 'network error';
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
