import type { ServerResponse } from 'node:http';
import { GatewayError, isGatewayError } from './registry.js';

export type JsonRpcId = string | number | null;

export interface JsonRpcErrorBody {
  jsonrpc: '2.0';
  id: JsonRpcId;
  error: { code: number; message: string; data?: unknown };
}

/** Any thrown value → a GatewayError whose message is safe for clients. */
export function asGatewayError(e: unknown): GatewayError {
  if (isGatewayError(e)) return e;
  return new GatewayError('INTERNAL', 'internal error', { cause: e });
}

export function toJsonRpc(e: unknown, id: JsonRpcId): JsonRpcErrorBody {
  const g = asGatewayError(e);
  const error: JsonRpcErrorBody['error'] = { code: g.rpcCode, message: g.message };
  if (g.data !== undefined) error.data = g.data;
  return { jsonrpc: '2.0', id, error };
}

/** Plain-text error response (routing, authn, authz — agentgateway's shape). */
export function sendHttpError(res: ServerResponse, e: unknown): void {
  const g = asGatewayError(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(g.headers)) res.setHeader(k, v);
  const body = g.message + '\n';
  res.writeHead(g.status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** JSON-RPC error response with the error's HTTP status (MCP endpoints). */
export function sendJsonRpcError(res: ServerResponse, e: unknown, id: JsonRpcId, status?: number): void {
  const g = asGatewayError(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(g.headers)) res.setHeader(k, v);
  const body = JSON.stringify(toJsonRpc(g, id));
  res.writeHead(status ?? g.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
