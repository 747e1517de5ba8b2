/**
 * extAuthz `includeRequestBody` (agentgateway `BodyOptions`, Envoy's `with_request_body`): the request
 * body sent with the check. The pipeline has already read the body into `ctx.body` (bounded by
 * `config.limits.bufferedBodyBytes`); this picks what the service gets:
 * - at most `maxRequestBytes` (default 8192, agentgateway's documented default);
 * - a longer body is refused with 413 unless `allowPartialMessage`, which sends its first
 *   `maxRequestBytes` and marks it partial (gRPC `size: -1`; HTTP `x-envoy-auth-partial-body: true`);
 * - gRPC: UTF-8 text in `body`, or the bytes in `raw_body` with `packAsBytes`.
 * On an MCP route the body is the JSON-RPC message, so the service can decide per method and tool.
 */
import type { ExtAuthzConfig } from '../../config/schema/ext-authz.js';
import { GatewayError } from '../../errors/registry.js';
import type { RequestContext } from '../../contracts/request-context.js';

export const DEFAULT_MAX_REQUEST_BYTES = 8192;

export interface BodyOptions {
  readonly maxBytes: number;
  readonly allowPartial: boolean;
  readonly packAsBytes: boolean;
}

export interface CheckBody {
  readonly bytes: Buffer;
  readonly partial: boolean;
}

export function bodyOptions(cfg: ExtAuthzConfig['includeRequestBody']): BodyOptions | undefined {
  if (!cfg) return undefined;
  return {
    maxBytes: cfg.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    allowPartial: cfg.allowPartialMessage ?? false,
    packAsBytes: cfg.packAsBytes ?? false,
  };
}

/** The body for the check, or 413 when it is longer than `maxRequestBytes` and partial bodies are off. */
export function checkBody(ctx: RequestContext, o: BodyOptions): CheckBody {
  const body = ctx.body ?? Buffer.alloc(0);
  if (body.length <= o.maxBytes) return { bytes: body, partial: false };
  if (!o.allowPartial) {
    throw new GatewayError(
      'PAYLOAD_TOO_LARGE',
      `request body larger than extAuthz includeRequestBody.maxRequestBytes (${o.maxBytes})`,
    );
  }
  return { bytes: body.subarray(0, o.maxBytes), partial: true };
}

/** The `HttpRequest` body fields of a gRPC check (`size` is the original length, -1 when partial). */
export function grpcBodyFields(b: CheckBody, o: BodyOptions): Record<string, unknown> {
  return {
    size: b.partial ? -1 : b.bytes.length,
    ...(o.packAsBytes ? { raw_body: b.bytes } : { body: b.bytes.toString('utf8') }),
  };
}
