/**
 * Small response writers for the public discovery endpoints (CORS `*`: any web client may read them).
 * Every answer is `Cache-Control: no-store`: the documents are built from the request (Host) and the
 * 401 depends on the caller's token, so no shared cache may keep one for another client.
 */
import type { ServerResponse } from 'node:http';

export function corsHeaders(methods: string): Record<string, string> {
  return {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': methods,
    'access-control-allow-headers': 'content-type, authorization, mcp-protocol-version',
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
  headOnly = false,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'cache-control': 'no-store',
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(headOnly ? undefined : text);
}

export function sendPreflight(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(204, {
    'cache-control': 'no-store',
    ...headers,
    'access-control-max-age': '600',
    'content-length': 0,
  });
  res.end();
}

export function sendMethodNotAllowed(
  res: ServerResponse,
  allow: string,
  headers: Record<string, string>,
): void {
  sendJson(
    res,
    405,
    { error: 'invalid_request', error_description: 'method not allowed' },
    { ...headers, allow },
  );
}
