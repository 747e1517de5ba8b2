/**
 * Typed upstream failures (undici's `UND_ERR_*` habit): every upstream transport rejects with an
 * `UpstreamError` whose `code` says what failed. It is a `GatewayError`, so it reaches the client through
 * the one mapper in ./respond.ts as `target "x" failed: <detail>`; health and metrics read `code`, never
 * the message.
 */
import { GatewayError, type ErrorCode } from './registry.js';

export type UpstreamErrorCode = Extract<
  ErrorCode,
  | 'UPSTREAM_CONNECT_REFUSED'
  | 'UPSTREAM_UNREACHABLE'
  | 'UPSTREAM_RESET'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_TLS'
  | 'UPSTREAM_HTTP_STATUS'
  | 'UPSTREAM_PROTOCOL'
  | 'UPSTREAM_CLOSED'
  | 'UPSTREAM_SPAWN_FAILED'
  | 'UPSTREAM_NETWORK'
>;

export class UpstreamError extends GatewayError {
  declare readonly code: UpstreamErrorCode;
  /** The target's name. */
  readonly target: string;
  /** The client-safe reason without the `target "x" failed: ` prefix. */
  readonly detail: string;
  /** The upstream's HTTP status, for `UPSTREAM_HTTP_STATUS`. */
  readonly httpStatus: number | undefined;

  constructor(
    code: UpstreamErrorCode,
    target: string,
    detail: string,
    opts: { cause?: unknown; httpStatus?: number } = {},
  ) {
    super(
      code,
      `target "${target}" failed: ${detail}`,
      opts.cause === undefined ? {} : { cause: opts.cause },
    );
    this.name = 'UpstreamError';
    this.target = target;
    this.detail = detail;
    this.httpStatus = opts.httpStatus;
  }
}

export function isUpstreamError(e: unknown): e is UpstreamError {
  return e instanceof UpstreamError;
}
