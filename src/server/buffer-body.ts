/**
 * Reads the request body into `ctx.body` for the policy phases that need it before the backend does:
 * extAuthz `includeRequestBody`, and on MCP routes requestMirror and request body transformations.
 * Bounded by `config.limits.bufferedBodyBytes` (413 beyond, checked against Content-Length first); the
 * backend then takes the body from `ctx.body`. GET and HEAD have none. Reading twice is a no-op.
 */
import { GatewayError, isGatewayError } from '../errors/registry.js';
import type { RequestContext } from '../contracts/request-context.js';
import { readBody } from '../net/read-body.js';

function tooLarge(limit: number): GatewayError {
  // The rest of the body is left unread, so the connection cannot be reused.
  return new GatewayError('PAYLOAD_TOO_LARGE', `request body larger than ${limit} bytes`, {
    headers: { connection: 'close' },
  });
}

export async function bufferRequestBody(ctx: RequestContext, limit: number): Promise<void> {
  if (ctx.body !== undefined) return;
  const method = ctx.request.method;
  if (method === 'GET' || method === 'HEAD') return;
  const declared = Number(ctx.req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  ctx.body = await readBody(ctx.req, limit, () => tooLarge(limit)).catch((e: unknown) => {
    throw isGatewayError(e) ? e : new GatewayError('INVALID_REQUEST', 'request body aborted');
  });
}
