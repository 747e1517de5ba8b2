/** Raw HTTP helpers for status-code and wire-format tests. */
export const ACCEPT_BOTH = 'application/json, text/event-stream';

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The JSON body, or the last `data:` frame of an SSE body. */
  readonly json: Record<string, unknown> | undefined;
  /** Every JSON-RPC message of an SSE body (or the JSON body). */
  readonly messages: Record<string, unknown>[];
}

export async function raw(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<RawResponse> {
  const body =
    init.body === undefined
      ? undefined
      : typeof init.body === 'string'
        ? init.body
        : JSON.stringify(init.body);
  const res = await fetch(url, {
    method: init.method ?? 'POST',
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      accept: ACCEPT_BOTH,
      ...init.headers,
    },
    body,
  });
  const text = await res.text();
  const messages: Record<string, unknown>[] = [];
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    for (const line of text.split('\n'))
      if (line.startsWith('data: ')) messages.push(JSON.parse(line.slice(6)) as Record<string, unknown>);
  } else if (text.trim().startsWith('{')) {
    messages.push(JSON.parse(text) as Record<string, unknown>);
  }
  return { status: res.status, headers: res.headers, text, json: messages.at(-1), messages };
}

export const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

export function rpcError(r: RawResponse): { code: number; message: string; data?: unknown } | undefined {
  return r.json?.error as { code: number; message: string; data?: unknown } | undefined;
}
