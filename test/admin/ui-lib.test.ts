/** The UI's pure helpers (CEL highlighting, forms from inputSchema, JWT decoding, plain-words errors). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenizeCel } from '../../ui/src/lib/cel.js';
import { corsAdvice, describeError } from '../../ui/src/lib/errors.js';
import { decodeJwt, describeExpiry } from '../../ui/src/lib/jwt.js';
import { buildArgs, fieldsFromSchema } from '../../ui/src/lib/schema-form.js';

test('CEL tokens: variables, fields, functions, strings, operators, keywords', () => {
  const kinds = tokenizeCel(
    'jwt.sub == "test-user" && mcp.tool.name.startsWith(\'get\') || size(x) > 2u in [true]',
  )
    .filter((t) => t.kind !== 'space')
    .map((t) => `${t.kind}:${t.text}`);
  assert.deepEqual(kinds, [
    'variable:jwt',
    'punct:.',
    'field:sub',
    'operator:==',
    'string:"test-user"',
    'operator:&&',
    'variable:mcp',
    'punct:.',
    'field:tool',
    'punct:.',
    'field:name',
    'punct:.',
    'function:startsWith',
    'punct:(',
    "string:'get'",
    'punct:)',
    'operator:||',
    'function:size',
    'punct:(',
    'text:x',
    'punct:)',
    'operator:>',
    'number:2u',
    'keyword:in',
    'punct:[',
    'keyword:true',
    'punct:]',
  ]);
  assert.equal(
    tokenizeCel('a == "unterminated')
      .map((t) => t.text)
      .join(''),
    'a == "unterminated',
    'unknown input is kept as text',
  );
});

test('form fields from inputSchema and arguments from the inputs', () => {
  const fields = fieldsFromSchema({
    type: 'object',
    properties: {
      message: { type: 'string', description: 'What to say' },
      count: { type: 'integer', default: 2 },
      ratio: { type: ['number', 'null'] },
      loud: { type: 'boolean' },
      mode: { enum: ['a', 'b'] },
      tags: { type: 'array', items: { type: 'string' } },
      meta: { type: 'object' },
      anything: {},
    },
    required: ['message', 'mode'],
  });
  assert.deepEqual(
    fields.map((f) => [f.name, f.kind, f.required, f.initial]),
    [
      ['message', 'string', true, ''],
      ['count', 'integer', false, '2'],
      ['ratio', 'number', false, ''],
      ['loud', 'boolean', false, 'false'],
      ['mode', 'enum', true, '"a"'],
      ['tags', 'json', false, '[]'],
      ['meta', 'json', false, '{}'],
      ['anything', 'json', false, ''],
    ],
  );
  assert.equal(fields.find((f) => f.name === 'tags')?.hint, 'JSON array of string');

  assert.deepEqual(buildArgs(fields, { count: '2.5', tags: '[1' }), {
    ok: false,
    errors: {
      message: 'required',
      count: 'must be a whole number',
      tags: `invalid JSON: ${errorOf(() => JSON.parse('[1'))}`,
    },
  });
  assert.deepEqual(
    buildArgs(fields, { message: 'hi', count: '3', loud: 'true', mode: '"b"', tags: '["x"]' }),
    {
      ok: true,
      args: { message: 'hi', count: 3, loud: true, mode: 'b', tags: ['x'], meta: {} },
    },
  );
});

function errorOf(f: () => unknown): string {
  try {
    f();
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

test('JWT decoding for display, and expiry in words', () => {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const token = `${part({ alg: 'RS256' })}.${part({ sub: 'ünïcode', exp: 1000 })}.sig`;
  const d = decodeJwt(token);
  assert.ok(d.ok);
  assert.deepEqual(d.jwt.claims, { sub: 'ünïcode', exp: 1000 });
  assert.equal(decodeJwt('abc').ok, false);
  assert.deepEqual(describeExpiry({ exp: 1000 }, 1000_000 + 3 * 3600_000), {
    text: 'expired 3 h ago',
    expired: true,
  });
  assert.deepEqual(describeExpiry({ exp: 1000 }, 1000_000 - 30_000), {
    text: 'expires in 30 s',
    expired: false,
  });
  assert.equal(describeExpiry({}, 0), undefined);
});

const fail = (status: number, body: string, www: string | null = null) => ({
  url: 'http://localhost:3000/mcp',
  status,
  network: false,
  body,
  wwwAuthenticate: www,
});

test('errors in plain words', () => {
  const sdk401 = Object.assign(new Error('Streamable HTTP error: Error POSTing to endpoint: x'), {
    code: 401,
  });
  const ctx = { hadToken: true, connected: false };
  assert.equal(
    describeError(sdk401, {
      ...ctx,
      failure: fail(
        401,
        'authentication failed: bad\n',
        'Bearer error="invalid_token", error_description="token expired"',
      ),
    }).message,
    'token rejected: token expired',
  );
  assert.equal(
    describeError(sdk401, { ...ctx, failure: fail(401, 'authentication failed: issuer mismatch\n') }).message,
    'token rejected: issuer mismatch',
  );
  assert.match(
    describeError(sdk401, { ...ctx, hadToken: false, failure: fail(401, 'missing token') }).message,
    /needs a token/,
  );
  assert.equal(
    describeError(new Error('x'), { ...ctx, failure: fail(403, 'authorization failed: no rule allowed it') })
      .message,
    'forbidden: no rule allowed it',
  );
  const unknown = Object.assign(new Error('MCP error -32602: Unknown tool: get-env'), { code: -32602 });
  assert.equal(
    describeError(unknown, { ...ctx, failure: undefined, item: { kind: 'tool', name: 'get-env' } }).message,
    'tool "get-env": not found or not allowed for this identity (Unknown tool: get-env)',
  );
  const httpDenied = Object.assign(new Error('Streamable HTTP error: …'), { code: 400 });
  assert.match(
    describeError(httpDenied, {
      ...ctx,
      failure: fail(400, '{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"Unknown tool: add"}}'),
      item: { kind: 'tool', name: 'add' },
    }).message,
    /not found or not allowed/,
  );
  assert.match(
    describeError(new Error('x'), {
      ...ctx,
      connected: true,
      failure: fail(400, 'Mcp-Session-Id header is required'),
    }).fix ?? '',
    /exposeHeaders: \["Mcp-Session-Id"\]/,
  );
  const network = describeError(new TypeError('Failed to fetch'), { ...ctx, failure: undefined });
  assert.equal(network.network, true);
});

test('CORS advice from the preflight probe', () => {
  const endpoint = {
    url: 'http://localhost:3000/mcp',
    path: '/mcp',
    listener: 'l',
    route: 'listener0/bind/3000/route0/default',
    kind: 'mcp',
    transports: ['streamable'],
    auth: true,
    cors: false,
  } as const;
  const base = { url: endpoint.url, origin: 'http://localhost:15000' };
  assert.match(
    corsAdvice({ ...base, reachable: false, error: 'ECONNREFUSED' }, endpoint).message,
    /not answering at http:\/\/localhost:3000\/mcp \(ECONNREFUSED\)/,
  );
  const noCors = corsAdvice({ ...base, reachable: true, status: 404 }, endpoint);
  assert.match(
    noCors.message,
    /route listener0\/bind\/3000\/route0\/default does not allow this page's origin http:\/\/localhost:15000/,
  );
  assert.match(noCors.fix ?? '', /allowOrigins: \["http:\/\/localhost:15000"\]/);
  const noAuthHeader = corsAdvice(
    { ...base, reachable: true, status: 204, allowOrigin: '*', allowHeaders: 'content-type' },
    endpoint,
  );
  assert.match(noAuthHeader.message, /does not allow the headers/);
});
