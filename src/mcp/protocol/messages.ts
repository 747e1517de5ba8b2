import type {
  JSONRPCErrorResponse,
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  JSONRPCResultResponse,
  RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { GatewayError } from '../../errors/registry.js';
import { RawResultResponse } from './raw-response.js';

export type { JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, RequestId };
export type JSONRPCResponseMessage = JSONRPCResultResponse | JSONRPCErrorResponse;
export type JsonObject = Record<string, unknown>;
export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** What an upstream (or the gateway itself) answered: a result or a JSON-RPC error. */
export type RpcOutcome = { readonly result: JsonObject } | { readonly error: RpcErrorObject };

export type ClientMessage =
  | { readonly kind: 'request'; readonly msg: JSONRPCRequest }
  | { readonly kind: 'notification'; readonly msg: JSONRPCNotification }
  | { readonly kind: 'response'; readonly msg: JSONRPCResponseMessage };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): v is RequestId {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/**
 * Classifies one parsed JSON body as a JSON-RPC 2.0 message (hand-written: no transformation, cheap).
 * Throws BATCH_NOT_SUPPORTED for arrays and INVALID_REQUEST for anything else that is not a message.
 */
export function classifyMessage(body: unknown): ClientMessage {
  if (Array.isArray(body)) throw new GatewayError('BATCH_NOT_SUPPORTED');
  if (!isObject(body) || body.jsonrpc !== '2.0') {
    throw new GatewayError('INVALID_REQUEST', 'Invalid Request: not a JSON-RPC 2.0 message');
  }
  if (body.params !== undefined && !isObject(body.params)) {
    throw new GatewayError('INVALID_REQUEST', 'Invalid Request: params must be an object');
  }
  if (typeof body.method === 'string') {
    if (body.id === undefined) return { kind: 'notification', msg: body as JSONRPCNotification };
    if (!isId(body.id))
      throw new GatewayError('INVALID_REQUEST', 'Invalid Request: id must be a string or number');
    return { kind: 'request', msg: body as JSONRPCRequest };
  }
  if (isId(body.id) && isObject(body.result)) return { kind: 'response', msg: body as JSONRPCResultResponse };
  if (isObject(body.error) && typeof body.error.code === 'number' && typeof body.error.message === 'string') {
    return { kind: 'response', msg: body as JSONRPCErrorResponse };
  }
  throw new GatewayError(
    'INVALID_REQUEST',
    'Invalid Request: not a JSON-RPC request, notification or response',
  );
}

export function resultMessage(id: RequestId, result: JsonObject): JSONRPCResultResponse {
  return { jsonrpc: '2.0', id, result } as JSONRPCResultResponse;
}

export function errorMessage(id: RequestId | undefined, error: RpcErrorObject): JSONRPCErrorResponse {
  const e: RpcErrorObject =
    error.data === undefined ? { code: error.code, message: error.message } : { ...error };
  return (
    id === undefined ? { jsonrpc: '2.0', error: e } : { jsonrpc: '2.0', id, error: e }
  ) as JSONRPCErrorResponse;
}

export function outcomeMessage(id: RequestId, outcome: RpcOutcome): JSONRPCResponseMessage {
  // An upstream's result nobody rewrote keeps its text; only the id changes (./raw-response.ts).
  if (outcome instanceof RawResultResponse) return outcome.withId(id) as unknown as JSONRPCResponseMessage;
  return 'result' in outcome ? resultMessage(id, outcome.result) : errorMessage(id, outcome.error);
}

/** A GatewayError as a JSON-RPC error object (message is client-safe by construction). */
export function errorObject(e: GatewayError): RpcErrorObject {
  return e.data === undefined
    ? { code: e.rpcCode, message: e.message }
    : { code: e.rpcCode, message: e.message, data: e.data };
}

export function paramsOf(msg: { params?: unknown }): JsonObject {
  return isObject(msg.params) ? msg.params : {};
}

export function metaOf(params: JsonObject): JsonObject | undefined {
  return isObject(params._meta) ? params._meta : undefined;
}

/** Request ids as map keys: `s:abc` / `n:1` so the string "1" and the number 1 stay distinct. */
export function idKey(id: RequestId): string {
  return typeof id === 'string' ? `s:${id}` : `n:${id}`;
}
