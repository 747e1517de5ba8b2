import { GatewayError } from '../../errors/registry.js';
import type { RequestContext } from '../../contracts/request-context.js';
import type { JSONRPCRequest, JsonObject } from '../protocol/messages.js';
import { isObject, metaOf, paramsOf } from '../protocol/messages.js';
import { META, SUPPORTED_VERSIONS, isModernVersion, isSupportedVersion } from '../protocol/revisions.js';

/** Methods whose `Mcp-Name` header mirrors a body field (2026-07-28 Streamable HTTP, "Standard Request Headers"). */
const NAME_FIELD: Readonly<Record<string, 'name' | 'uri'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
};

const SENTINEL = /^=\?base64\?(.*)\?=$/s;

export interface ModernRequestMeta {
  readonly protocolVersion: string;
  readonly clientCapabilities: JsonObject;
  readonly logLevel: string | undefined;
}

/**
 * Validates a 2026-07-28 request: the required `_meta` fields (-32602, 400), the mirrored headers
 * `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` (-32020 HeaderMismatch, 400; Base64 sentinel values
 * decoded first), and the version itself (-32022 with the supported list, 400).
 */
export function validateModern(ctx: RequestContext, req: JSONRPCRequest): ModernRequestMeta {
  const params = paramsOf(req);
  const meta = metaOf(params);
  const version = meta?.[META.protocolVersion];
  if (typeof version !== 'string') throw missing(META.protocolVersion);
  const headerVersion = header(ctx, 'mcp-protocol-version');
  if (headerVersion === undefined) throw mismatch('MCP-Protocol-Version header is required');
  if (headerVersion !== version) {
    throw mismatch(
      `MCP-Protocol-Version header value '${headerVersion}' does not match body value '${version}'`,
    );
  }
  if (!isModernVersion(version) || !isSupportedVersion(version)) {
    throw new GatewayError('UNSUPPORTED_PROTOCOL_VERSION', 'Unsupported protocol version', {
      data: { supported: [...SUPPORTED_VERSIONS], requested: version },
    });
  }
  const caps = meta?.[META.clientCapabilities];
  if (!isObject(caps)) throw missing(META.clientCapabilities);
  const method = header(ctx, 'mcp-method');
  if (method === undefined) throw mismatch('Mcp-Method header is required');
  if (method !== req.method)
    throw mismatch(`Mcp-Method header value '${method}' does not match body value '${req.method}'`);
  const field = NAME_FIELD[req.method];
  if (field) {
    const raw = header(ctx, 'mcp-name');
    if (raw === undefined) throw mismatch('Mcp-Name header is required');
    const name = decodeHeaderValue(raw);
    if (name === undefined) throw mismatch('Mcp-Name header value is not valid Base64');
    if (name !== params[field]) {
      throw mismatch(`Mcp-Name header value '${raw}' does not match body value '${String(params[field])}'`);
    }
  }
  const level = meta?.[META.logLevel];
  return {
    protocolVersion: version,
    clientCapabilities: caps,
    logLevel: typeof level === 'string' ? level : undefined,
  };
}

/** `=?base64?…?=` values are UTF-8 in Base64; anything else is the literal value. */
export function decodeHeaderValue(raw: string): string | undefined {
  const m = SENTINEL.exec(raw);
  if (!m) return raw;
  const b64 = m[1] ?? '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return undefined;
  return Buffer.from(b64, 'base64').toString('utf8');
}

function header(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

function mismatch(detail: string): GatewayError {
  return new GatewayError('HEADER_MISMATCH', `Header mismatch: ${detail}`);
}

function missing(key: string): GatewayError {
  return new GatewayError('INVALID_PARAMS', `Invalid params: _meta["${key}"] is required`, { status: 400 });
}

const LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** 2026-07-28 logging: only for requests that asked (`_meta` logLevel), at or above that level. */
export function logFilter(min: string | undefined): (level: unknown) => boolean {
  if (min === undefined) return () => false;
  const floor = Math.max(0, LEVELS.indexOf(min));
  return (level) => typeof level === 'string' && LEVELS.indexOf(level) >= floor;
}
