/**
 * A response body transformation on an MCP route rewrites the JSON-RPC response to one POSTed request
 * (the JSON body, or the final SSE event). What it produces must still answer that request: an object
 * with `jsonrpc: "2.0"`, the same `id`, and either `result` (an object) or `error` (an integer `code` and
 * a string `message`). Anything else — text that is not JSON, a changed id, a notification — is replaced
 * by the JSON-RPC error TRANSFORMATION_INVALID (-32603) for the same id, so the client is never left
 * waiting for an answer that does not come.
 */
import { GatewayError } from '../../errors/registry.js';
import { toJsonRpc, type JsonRpcId } from '../../errors/respond.js';

function isResponseFor(out: unknown, id: unknown): boolean {
  if (!out || typeof out !== 'object' || Array.isArray(out)) return false;
  const m = out as Record<string, unknown>;
  if (m['jsonrpc'] !== '2.0' || m['id'] !== id) return false;
  const hasResult = 'result' in m;
  if (hasResult === 'error' in m) return false;
  if (hasResult) return !!m['result'] && typeof m['result'] === 'object' && !Array.isArray(m['result']);
  const e = m['error'] as Record<string, unknown> | null;
  return !!e && typeof e === 'object' && Number.isInteger(e['code']) && typeof e['message'] === 'string';
}

/** `out` if it is a valid response to the request `id`, else a -32603 error for that id. */
export function checkedResponse(out: unknown, id: JsonRpcId): { ok: boolean; message: unknown } {
  if (isResponseFor(out, id)) return { ok: true, message: out };
  return { ok: false, message: toJsonRpc(new GatewayError('TRANSFORMATION_INVALID'), id) };
}
