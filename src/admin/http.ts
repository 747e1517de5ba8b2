/** Small response/request helpers shared by the admin and readiness servers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody as readBoundedBody } from '../net/read-body.js';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
} as const;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { status: 'error', message, ...extra }, headers);
}

export function methodNotAllowed(res: ServerResponse, allow: readonly string[]): void {
  sendJson(
    res,
    405,
    { status: 'error', message: `method not allowed; use ${allow.join(' or ')}` },
    { allow: allow.join(', ') },
  );
}

export class BodyError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Read a request body up to `limit` bytes (413 past it). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) throw new BodyError(413, `body larger than ${limit} bytes`);
  return readBoundedBody(req, limit, () => new BodyError(413, `body larger than ${limit} bytes`));
}

export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type))
    throw new BodyError(415, 'expected Content-Type: application/json');
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (e) {
    throw new BodyError(400, `invalid JSON: ${(e as Error).message}`);
  }
}
