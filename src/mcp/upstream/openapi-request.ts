/**
 * The HTTP request an OpenAPI tool call becomes, from arguments already checked against the tool's input
 * schema (openapi-args.ts). What the model sends is data, never structure:
 * - path parameters are percent-encoded as one segment each (`/` included), and a value that would be a
 *   dot segment (`.`, `..`) is refused: `GET /v1/pets/{id}` with id `..` must not become `GET /v1/`.
 *   The path is sent as built, never re-parsed (a URL parser would resolve `..` and `%2e%2e`);
 * - only declared query parameters and declared headers are sent; anything else in `query` / `header`
 *   is dropped (`authorization`, `cookie`, `x-http-method-override` included, unless the operation
 *   declares them); a header value that is not visible Latin-1 text (CR, LF, NUL…) is refused. Declared or not,
 *   hop-by-hop headers and the gateway's own headers are never taken from arguments (the caller merges
 *   with `API_RESERVED` and lets the gateway's headers win).
 */
import type { OpenApiTool } from './openapi-tools.js';

const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export interface BuiltRequest {
  /** For the origin (connection pool) only. */
  readonly url: URL;
  /** The request target sent upstream: base path + encoded template + query. */
  readonly path: string;
  readonly toolHeaders: Record<string, string>;
}

/** The request, or a message for a JSON-RPC -32602 error. */
export function buildRequest(
  baseUrl: string,
  tool: OpenApiTool,
  args: Record<string, unknown>,
): BuiltRequest | string {
  const base = new URL(baseUrl);
  const pathArgs = record(args.path);
  const problems: string[] = [];
  const path = tool.path.replace(/\{([^}]+)\}/g, (_, p: string) => {
    const v = pathArgs[p];
    if (v === undefined || v === null) {
      problems.push(`missing path parameter ${p}`);
      return '';
    }
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    if (s === '.' || s === '..' || s === '') {
      problems.push(`path parameter ${p} cannot be "${s}"`);
      return '';
    }
    return encodeURIComponent(s);
  });
  if (problems.length > 0) return `Invalid arguments for tool ${tool.name}: ${problems.join(', ')}`;

  const query = new URLSearchParams();
  const queryArgs = record(args.query);
  for (const name of tool.parameters.query) {
    const v = queryArgs[name];
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === undefined || item === null) continue;
      query.append(name, typeof item === 'string' ? item : JSON.stringify(item));
    }
  }
  const declaredHeaders = new Set(tool.parameters.header);
  const toolHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(args.header))) {
    if (!declaredHeaders.has(k.toLowerCase())) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    const value = String(v);
    // A header value is one line of visible text: CR/LF or NUL would split or corrupt the request.
    if (!HEADER_VALUE.test(value))
      return `Invalid arguments for tool ${tool.name}: header ${k} holds a character not allowed in a header value`;
    toolHeaders[k] = value;
  }
  const search = query.size > 0 ? `?${query.toString()}` : '';
  return { url: base, path: base.pathname.replace(/\/+$/, '') + path + search, toolHeaders };
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
