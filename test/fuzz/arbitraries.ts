/**
 * fast-check generators for hostile input: raw HTTP requests at the socket (request lines, Host values,
 * header sets, framed, chunked, mis-framed and trickled bodies) and JSON-RPC bodies for every MCP method
 * with wrong types, huge ids, deep nesting and unicode.
 */
import fc from 'fast-check';
import type { FuzzTarget } from './target.js';
import { PROTOCOL_VERSION } from './target.js';

export const MCP_METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'resources/unsubscribe',
  'completion/complete',
  'logging/setLevel',
  'tasks/list',
  'tasks/get',
  'tasks/result',
  'tasks/cancel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
  'sampling/createMessage',
  'elicitation/create',
  'roots/list',
] as const;

const unicode = fc.string({ unit: 'grapheme', maxLength: 40 });
const anyText = fc.oneof(fc.string({ maxLength: 40 }), unicode, fc.string({ unit: 'binary', maxLength: 20 }));

/** Any JSON value, plus deep nesting as raw text (JSON.stringify would recurse). */
const rawJsonValue = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 100, max: 5_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  },
);

const rawId = fc.oneof(
  { weight: 6, arbitrary: fc.integer().map(String) },
  fc.constantFrom(
    '1e400',
    '-0',
    '123456789012345678901234567890',
    '9007199254740993',
    '1.5',
    'null',
    'true',
    '[]',
    '{}',
  ),
  anyText.map((s) => JSON.stringify(s)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'),
);

function itemName(t: FuzzTarget): fc.Arbitrary<string> {
  return fc.oneof(fc.constantFrom(...t.allowed), fc.constantFrom(...t.denied), anyText);
}

/** `params` for a method: the right field names with values of any type, or anything at all. */
function rawParams(t: FuzzTarget, method: string): fc.Arbitrary<string> {
  const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), itemName(t));
  const fields: Record<string, fc.Arbitrary<unknown>> = {
    name: fc.oneof(itemName(t), anyValue),
    arguments: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), anyValue, { maxKeys: 4 }), anyValue),
    uri: fc.oneof(itemName(t), anyValue),
    cursor: anyValue,
    level: fc.oneof(fc.constantFrom('debug', 'info', 'emergency'), anyValue),
    ref: fc.oneof(
      fc.record({ type: fc.constantFrom('ref/prompt', 'ref/resource'), name: itemName(t) }),
      anyValue,
    ),
    argument: anyValue,
    taskId: anyValue,
    requestId: anyValue,
    progressToken: anyValue,
    protocolVersion: fc.oneof(fc.constant(PROTOCOL_VERSION), anyValue),
    capabilities: anyValue,
    clientInfo: anyValue,
    _meta: fc.oneof(fc.record({ progressToken: anyValue }), anyValue),
  };
  const known = fc
    .subarray(Object.keys(fields))
    .chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, fields[k]!]))))
    .map((o) => JSON.stringify(o));
  return method === 'tools/call'
    ? fc.oneof({ weight: 4, arbitrary: known }, { weight: 1, arbitrary: rawJsonValue })
    : fc.oneof(known, rawJsonValue);
}

/** One JSON-RPC body as text: mostly well-formed envelopes with hostile contents, some pure garbage. */
export function jsonRpcBody(t: FuzzTarget): fc.Arbitrary<string> {
  const method = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...MCP_METHODS) },
    { weight: 1, arbitrary: anyText },
  );
  const envelope = method.chain((m) =>
    fc
      .record(
        {
          jsonrpc: fc.oneof(
            { weight: 9, arbitrary: fc.constant('"2.0"') },
            { weight: 1, arbitrary: rawJsonValue },
          ),
          id: rawId,
          method: fc.oneof(
            { weight: 9, arbitrary: fc.constant(JSON.stringify(m)) },
            { weight: 1, arbitrary: rawJsonValue },
          ),
          params: rawParams(t, m),
        },
        { requiredKeys: ['method'] },
      )
      .map(
        (r) =>
          '{' +
          Object.entries(r)
            .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
            .join(',') +
          '}',
      ),
  );
  return fc.oneof(
    { weight: 12, arbitrary: envelope },
    { weight: 1, arbitrary: fc.array(envelope, { maxLength: 3 }).map((a) => `[${a.join(',')}]`) },
    { weight: 1, arbitrary: anyText },
    { weight: 1, arbitrary: rawJsonValue },
  );
}

export interface JsonRpcCase {
  readonly body: string;
  readonly headers: Record<string, string>;
}

export function jsonRpcCase(t: FuzzTarget): fc.Arbitrary<JsonRpcCase> {
  // Mostly a well-formed session of the limited caller, so bodies reach the multiplexer and the
  // authorizer; the rest probes authentication, session and transport checks.
  const usually = <T, U>(good: T, other: fc.Arbitrary<U>) =>
    fc.oneof({ weight: 4, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: other });
  const auth = usually(`Bearer ${t.tokens.limited}`, fc.constantFrom(undefined, 'Bearer junk', 'Basic eA=='));
  const session = usually(t.session, fc.oneof(fc.constant(undefined), fc.string({ maxLength: 40 })));
  const version = usually(PROTOCOL_VERSION, fc.constantFrom(undefined, '2026-07-28', '1999-01-01', 'x'));
  const accept = usually(
    'application/json, text/event-stream',
    fc.constantFrom('application/json', '*/*', undefined),
  );
  return fc
    .record({ body: jsonRpcBody(t), auth, session, version, accept })
    .map(({ body, auth: a, session: s, version: v, accept: acc }) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (a) headers.authorization = a;
      if (s !== undefined && /^[\x21-\x7e]*$/.test(s) && s !== '') headers['mcp-session-id'] = s;
      if (v) headers['mcp-protocol-version'] = v;
      if (acc) headers.accept = acc;
      return { body, headers };
    });
}

export interface RawCase {
  /** Pieces written to the socket, `gapMs` apart (one piece unless trickled). */
  readonly pieces: readonly string[];
  readonly gapMs: number;
}

const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
const latin1 = fc.string({ unit: 'binary-ascii', maxLength: 30 });

export function rawCase(t: FuzzTarget, port: number): fc.Arbitrary<RawCase> {
  const method = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PUT', 'PATCH') },
    { weight: 1, arbitrary: fc.constantFrom('CONNECT', 'TRACE', 'G E T', 'get', '') },
    { weight: 1, arbitrary: token },
  );
  const target = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        '/mcp',
        '/mcp?sessionId=x',
        '/',
        '/mcp/',
        '/mcp/../mcp',
        '/x/%2e%2e/mcp',
        '/sse',
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '//[x/',
        '*',
        'http://localhost/mcp',
        `http://127.0.0.1:${port}/mcp`,
        'http://a:99999/',
        'mcp',
        '/%00',
        '/\\',
      ),
    },
    { weight: 1, arbitrary: latin1.map((s) => '/' + s) },
    { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => '/' + 'a'.repeat(n)) },
  );
  const version = fc.oneof(
    { weight: 9, arbitrary: fc.constant('HTTP/1.1') },
    { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTX/1.1', '') },
  );
  const host = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('localhost', `127.0.0.1:${port}`, `localhost:${port}`) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'a b',
        'localhost:99999',
        '[::1',
        'u@h',
        '',
        'h:x',
        '[::1]:1',
        '..',
        'xn--a',
      ),
    },
    { weight: 1, arbitrary: latin1 },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const headerName = fc.oneof(
    fc.constantFrom(
      'accept',
      'authorization',
      'mcp-session-id',
      'mcp-protocol-version',
      'origin',
      'content-type',
      'x-forwarded-for',
      'cookie',
      'expect',
      'upgrade',
      'connection',
      'sec-fetch-site',
      'last-event-id',
    ),
    token,
  );
  const headerValue = fc.oneof(
    fc.constantFrom(
      'application/json, text/event-stream',
      `Bearer ${t.tokens.limited}`,
      'Bearer x.y.z',
      t.session,
      PROTOCOL_VERSION,
      'http://evil.example',
      '100-continue',
      'websocket',
      'keep-alive',
      'cross-site',
    ),
    latin1,
  );
  const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 });
  const body = fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    { weight: 4, arbitrary: jsonRpcBody(t) },
    { weight: 1, arbitrary: latin1 },
  );
  const framing = fc.oneof(
    { weight: 6, arbitrary: fc.constant('length' as const) },
    { weight: 2, arbitrary: fc.constant('chunked' as const) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'bad-length' as const,
        'short' as const,
        'bad-chunk' as const,
        'both' as const,
      ),
    },
  );
  const trickle = fc.oneof(
    { weight: 12, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  );
  return fc.record({ method, target, version, host, headers, body, framing, trickle }).map((c) => {
    let head = `${c.method} ${c.target} ${c.version}\r\n`;
    if (c.host !== undefined) head += `Host: ${c.host}\r\n`;
    for (const [n, v] of c.headers) head += `${n}: ${v}\r\n`;
    let payload = c.body;
    const bytes = Buffer.byteLength(payload, 'utf8');
    switch (c.framing) {
      case 'length':
        if (bytes || c.method === 'POST') head += `Content-Length: ${bytes}\r\n`;
        break;
      case 'chunked':
        head += 'Transfer-Encoding: chunked\r\n';
        payload = (bytes ? `${bytes.toString(16)}\r\n${payload}\r\n` : '') + '0\r\n\r\n';
        break;
      case 'bad-length':
        head += `Content-Length: -${bytes}x\r\n`;
        break;
      case 'short':
        head += `Content-Length: ${bytes + 5}\r\n`;
        break;
      case 'bad-chunk':
        head += 'Transfer-Encoding: chunked\r\n';
        payload = `zz\r\n${payload}\r\n`;
        break;
      case 'both':
        head += `Content-Length: ${bytes}\r\nTransfer-Encoding: chunked\r\n`;
        break;
    }
    head += 'Connection: close\r\n\r\n';
    const all = head + payload;
    const pieces = c.trickle ? (all.match(/[\s\S]{1,16}/g) ?? [all]).slice(0, 40) : [all];
    if (c.trickle && pieces.join('') !== all) pieces.push(all.slice(pieces.join('').length));
    return { pieces, gapMs: c.trickle ? 5 : 0 };
  });
}
