/**
 * Writing the authorization service's denial (or redirect) to the client.
 * - Plain HTTP routes: the service's status, headers and body, as Envoy and agentgateway return them.
 * - MCP routes (JSON-RPC): the service's status and headers (a `WWW-Authenticate` challenge still
 *   works), but the body is a JSON-RPC error `-32003 external authorization failed` with the request's
 *   id when the body was read, so an MCP client sees a JSON-RPC error and not a text page. The service's
 *   own body is not sent there: it may name the tool or carry the service's internals.
 */
import type { RequestContext } from '../../contracts/request-context.js';
import { GatewayError } from '../../errors/registry.js';
import { sendJsonRpcError, type JsonRpcId } from '../../errors/respond.js';
import { applyToResponse, type HeaderOp } from './header-ops.js';

/** Headers of the service's answer the JSON-RPC error replaces. */
const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding']);

/** The id and method of the JSON-RPC request in a buffered body (id null when there is none). */
export function jsonRpcOf(body: Buffer | undefined): { id: JsonRpcId; method: string | undefined } {
  if (!body?.length) return { id: null, method: undefined };
  try {
    const m = JSON.parse(body.toString('utf8')) as unknown;
    if (m && typeof m === 'object' && !Array.isArray(m)) {
      const { id, method } = m as { id?: unknown; method?: unknown };
      return {
        id: typeof id === 'string' || typeof id === 'number' ? id : null,
        method: typeof method === 'string' ? method.slice(0, 128) : undefined,
      };
    }
  } catch {
    // not JSON: the MCP transport would answer a parse error; the denial has no id
  }
  return { id: null, method: undefined };
}

export function answer(
  ctx: RequestContext,
  status: number,
  ops: readonly HeaderOp[],
  body: Buffer,
  jsonRpc: boolean,
): void {
  if (ctx.res.headersSent) return void ctx.res.destroy();
  if (jsonRpc && status !== 302) {
    applyToResponse(
      ctx.res,
      ops.filter((op) => !BODY_HEADERS.has(op.name)),
    );
    const m = jsonRpcOf(ctx.body);
    // The access log says which call was refused (the client is only told that it was).
    if (m.method) ctx.log['mcp.method'] ??= m.method;
    sendJsonRpcError(ctx.res, new GatewayError('EXTAUTHZ_DENIED'), m.id, status);
    return;
  }
  applyToResponse(ctx.res, ops);
  if (body.length && !ctx.res.hasHeader('content-type'))
    ctx.res.setHeader('content-type', 'text/plain; charset=utf-8');
  ctx.res.setHeader('content-length', body.length);
  ctx.res.writeHead(status);
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
}
