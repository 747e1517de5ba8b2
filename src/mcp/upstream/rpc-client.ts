import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
} from '@modelcontextprotocol/sdk/types.js';

import { scanResultResponse } from '../protocol/envelope-scan.js';
import { asJsonRpc } from '../protocol/raw-response.js';

/** Structural checks: a proxy routes raw messages, so no schema parse (and no field stripping) here. */
export type RequestId = string | number;

export function isRequest(m: JSONRPCMessage): m is JSONRPCRequest {
  return 'method' in m && 'id' in m;
}

export function isNotification(m: JSONRPCMessage): m is JSONRPCNotification {
  return 'method' in m && !('id' in m);
}

/** A result or error response (no `method`). */
export function isResponse(
  m: JSONRPCMessage,
): m is Exclude<JSONRPCMessage, JSONRPCRequest | JSONRPCNotification> {
  return !('method' in m) && 'id' in m;
}

/** A message parsed from the wire: an object that says `jsonrpc: "2.0"`. Everything else is dropped by callers. */
export function asMessage(value: unknown): JSONRPCMessage | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if ((value as { jsonrpc?: unknown }).jsonrpc !== '2.0') return undefined;
  return value as JSONRPCMessage;
}

export function errorResponse(id: RequestId, code: number, message: string): JSONRPCErrorResponse {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/**
 * One message from the wire's JSON text. A result response keeps its result as text (see
 * ../protocol/raw-response.ts); anything else is parsed. Throws on text that is not JSON; `undefined`
 * for JSON that is not a JSON-RPC 2.0 object.
 */
export function parseMessage(text: string): JSONRPCMessage | undefined {
  const raw = scanResultResponse(text);
  return raw ? asJsonRpc(raw) : asMessage(JSON.parse(text));
}
