/**
 * A strict reader of what the gateway wrote on a socket: a sequence of HTTP/1.1 responses, each framed
 * by Content-Length, chunked encoding or the connection's end. Anything else is "not valid HTTP".
 */
export interface ParsedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type ParseResult =
  { ok: true; responses: ParsedResponse[]; rest: string } | { ok: false; why: string };

function dechunk(s: string): { body: string; used: number } | undefined {
  let body = '';
  let i = 0;
  for (;;) {
    const eol = s.indexOf('\r\n', i);
    if (eol === -1) return undefined;
    const size = parseInt(s.slice(i, eol).split(';')[0]!, 16);
    if (!Number.isFinite(size) || size < 0) return undefined;
    i = eol + 2;
    if (size === 0) {
      const end = s.indexOf('\r\n\r\n', i - 2);
      return end === -1 ? undefined : { body, used: end + 4 };
    }
    if (s.length < i + size + 2) return undefined;
    body += s.slice(i, i + size);
    i += size + 2;
  }
}

/** Parse every complete response in `text`; `closed` = the server ended the connection; `head` = answers to HEAD. */
export function parseResponses(text: string, closed: boolean, head = false): ParseResult {
  const responses: ParsedResponse[] = [];
  let s = text;
  while (s.length > 0) {
    const m = /^HTTP\/1\.1 ([1-5]\d\d) [^\r\n]*\r\n/.exec(s);
    if (!m) return { ok: false, why: `not a status line: ${JSON.stringify(s.slice(0, 40))}` };
    const end = s.indexOf('\r\n\r\n');
    if (end === -1) return closed ? { ok: false, why: 'truncated head' } : { ok: true, responses, rest: s };
    const headers: Record<string, string> = {};
    for (const line of s.slice(m[0].length, end).split('\r\n')) {
      if (line === '') continue;
      const colon = line.indexOf(':');
      if (colon <= 0) return { ok: false, why: `bad header line ${JSON.stringify(line)}` };
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(m[1]);
    let rest = s.slice(end + 4);
    let body = '';
    const noBody = head || status === 204 || status === 304 || status < 200;
    if (noBody) {
      // nothing
    } else if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const d = dechunk(rest);
      if (!d) return closed ? { ok: false, why: 'truncated chunked body' } : { ok: true, responses, rest: s };
      body = d.body;
      rest = rest.slice(d.used);
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (!Number.isInteger(n) || n < 0) return { ok: false, why: 'bad content-length' };
      if (rest.length < n)
        return closed ? { ok: false, why: 'truncated body' } : { ok: true, responses, rest: s };
      body = rest.slice(0, n);
      rest = rest.slice(n);
    } else {
      // Delimited by the connection's end (an event stream, or a close-delimited body).
      if (!closed) return { ok: true, responses, rest: s };
      body = rest;
      rest = '';
    }
    responses.push({ status, headers, body });
    s = rest;
  }
  return { ok: true, responses, rest: '' };
}
