import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../../errors/registry.js';
import { readBody } from '../../net/read-body.js';
import { messageText } from './raw-response.js';

export const JSON_TYPE = 'application/json';
export const SSE_TYPE = 'text/event-stream';

/** True when the Accept header admits `type` (exact, `type/*` or `*\/*`). */
export function accepts(req: IncomingMessage, type: string): boolean {
  const header = req.headers.accept;
  if (!header) return false;
  if (type === JSON_TYPE) return acceptInfo(header).json;
  if (type === SSE_TYPE) return acceptInfo(header).sse;
  return admits(header, type);
}

function admits(header: string, type: string): boolean {
  const [major] = type.split('/');
  for (const part of header.split(',')) {
    const t = part.split(';')[0]?.trim().toLowerCase();
    if (t === type || t === '*/*' || t === `${major}/*`) return true;
  }
  return false;
}

/**
 * True when the client ranks `text/event-stream` above `application/json` (higher q, or equal q and listed
 * first). The SDK clients list JSON first; clients that put SSE first get SSE even for a lone response.
 */
export function prefersEventStream(req: IncomingMessage): boolean {
  const header = req.headers.accept;
  return header ? acceptInfo(header).prefersSse : false;
}

function ranksSseFirst(header: string): boolean {
  let json: { q: number; i: number } | undefined;
  let sse: { q: number; i: number } | undefined;
  header.split(',').forEach((part, i) => {
    const [type, ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const qp = params.find((p) => p.startsWith('q='));
    const q = qp === undefined ? 1 : Number(qp.slice(2)) || 0;
    if (type === JSON_TYPE && !json) json = { q, i };
    if (type === SSE_TYPE && !sse) sse = { q, i };
  });
  if (!sse || sse.q === 0) return false;
  if (!json) return true;
  return sse.q > json.q || (sse.q === json.q && sse.i < json.i);
}

interface AcceptInfo {
  readonly json: boolean;
  readonly sse: boolean;
  readonly prefersSse: boolean;
}

/** What an Accept header says about the two MCP media types, worked out once per distinct header text. */
const ACCEPT_SEEN = new Map<string, AcceptInfo>();
const ACCEPT_SEEN_MAX = 64;

function acceptInfo(header: string): AcceptInfo {
  let info = ACCEPT_SEEN.get(header);
  if (info) return info;
  info = {
    json: admits(header, JSON_TYPE),
    sse: admits(header, SSE_TYPE),
    prefersSse: ranksSseFirst(header),
  };
  // Clients send a handful of distinct headers; anything beyond the bound starts the memo afresh.
  if (ACCEPT_SEEN.size >= ACCEPT_SEEN_MAX) ACCEPT_SEEN.clear();
  ACCEPT_SEEN.set(header, info);
  return info;
}

/** 406 unless Accept admits every type in `types`. */
export function requireAccept(req: IncomingMessage, types: readonly string[]): void {
  if (types.every((t) => accepts(req, t))) return;
  throw new GatewayError('NOT_ACCEPTABLE', `Not Acceptable: Client must accept ${types.join(' and ')}`);
}

/** 415 unless the body is declared as JSON. */
export function requireJsonBody(req: IncomingMessage): void {
  const ct = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (ct === JSON_TYPE) return;
  throw new GatewayError(
    'UNSUPPORTED_MEDIA_TYPE',
    'Unsupported Media Type: Client must send application/json',
  );
}

/**
 * Reads and parses the JSON body, at most `limit` bytes (413 beyond, checked against Content-Length first
 * and while streaming), or parses `buffered` when a policy phase already read (and maybe transformed) it.
 * Unparseable JSON → 400 PARSE_ERROR.
 */
export async function readJsonBody(req: IncomingMessage, limit: number, buffered?: Buffer): Promise<unknown> {
  let raw = buffered;
  if (raw === undefined) {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
    raw = await readBody(req, limit, () => tooLarge(limit));
  } else if (raw.length > limit) throw tooLarge(limit);
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new GatewayError('PARSE_ERROR', `Parse error: ${(e as Error).message}`);
  }
}

function tooLarge(limit: number): GatewayError {
  // The rest of the body is not read, so the connection cannot be reused.
  return new GatewayError('PAYLOAD_TOO_LARGE', `request body larger than ${limit} bytes`, {
    headers: { connection: 'close' },
  });
}

/** 405 with the Allow header. */
export function methodNotAllowed(allow: readonly string[]): GatewayError {
  return new GatewayError('METHOD_NOT_ALLOWED', 'Method Not Allowed', {
    headers: { allow: allow.join(', ') },
  });
}

export function writeEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(status, headers);
  res.end();
}

export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded) return;
  const text = messageText(body);
  res.writeHead(status, {
    ...headers,
    'content-type': JSON_TYPE,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
