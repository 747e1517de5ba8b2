/** What every reply on an MCP route must be: JSON-RPC 2.0 responses (JSON or event-stream framed). */
export function jsonRpcProblem(contentType: string, body: string): string | undefined {
  const ct = contentType.toLowerCase();
  if (ct.startsWith('application/json')) return messageProblem(body);
  if (ct.startsWith('text/event-stream')) {
    for (const line of body.split('\n')) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '') continue;
      const p = messageProblem(data);
      if (p) return p;
    }
    return undefined;
  }
  return undefined;
}

function messageProblem(text: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 80)}`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return `not a JSON-RPC object: ${text.slice(0, 80)}`;
  const m = v as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return `jsonrpc is not "2.0": ${text.slice(0, 80)}`;
  if ('method' in m) return typeof m.method === 'string' ? undefined : 'method not a string';
  const id = m.id;
  if (!(id === null || typeof id === 'string' || typeof id === 'number'))
    return `bad id: ${text.slice(0, 80)}`;
  if ('error' in m) {
    const e = m.error as Record<string, unknown> | null;
    if (!e || !Number.isInteger(e.code) || typeof e.message !== 'string')
      return `bad error object: ${text.slice(0, 120)}`;
    if (/\n\s+at |\.ts:\d+:\d+/.test(e.message)) return `stack trace in error: ${e.message.slice(0, 120)}`;
    return undefined;
  }
  return 'result' in m ? undefined : `neither result nor error: ${text.slice(0, 80)}`;
}
