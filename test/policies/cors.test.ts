import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CorsConfig } from '../../src/config/schema/policies.js';
import { GatewayError, type ErrorCode } from '../../src/errors/registry.js';
import { sendHttpError } from '../../src/errors/respond.js';
import { compileCors } from '../../src/policies/cors/index.js';
import { parseOrigin } from '../../src/policies/cors/origin.js';
import type { CompiledCors } from '../../src/policies/types.js';
import { afterTest, AT, buildContext, located, send, serve } from './helpers.js';

const POLICIES: Record<string, CorsConfig> = {
  // tests/tests/cors.rs's policy
  basic: {
    allowCredentials: false,
    allowHeaders: ['*'],
    allowMethods: ['GET', 'POST'],
    allowOrigins: ['http://example.com'],
    exposeHeaders: [],
  },
  glob: {
    allowOrigins: ['https://*.example.com', 'http://localhost:3000'],
    allowMethods: ['*'],
    allowHeaders: ['x-a', 'X-B'],
    exposeHeaders: ['x-trace'],
    maxAge: '10m',
  },
  ports: { allowOrigins: ['https://example.com:443', 'http://example.org', 'http://[::1]:8080'] },
  star: { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: ['*'] },
  creds: {
    allowOrigins: ['*'],
    allowCredentials: true,
    allowMethods: ['*'],
    allowHeaders: ['*'],
    exposeHeaders: ['*'],
  },
  mcp: {
    allowOrigins: ['http://localhost:5173'],
    allowMethods: ['GET', 'POST', 'DELETE'],
    allowHeaders: ['*'],
  },
  mcpNamed: {
    allowOrigins: ['http://localhost:5173'],
    allowHeaders: ['authorization', 'content-type'],
    exposeHeaders: ['mcp-session-id'],
    allowCredentials: true,
  },
};

const ERRORS: Record<string, ErrorCode> = {
  '401': 'AUTHN_FAILED',
  '403': 'AUTHZ_FAILED',
  '404': 'ROUTE_NOT_FOUND',
  '429': 'RATE_LIMITED',
  '500': 'INTERNAL',
};

interface Case {
  readonly name: string;
  /** `/<policy>/<outcome>`; outcome `ok`, `auth` (401 without a bearer token) or an error status. */
  readonly path: string;
  readonly mcp?: boolean;
  readonly method?: string;
  readonly headers: Record<string, string>;
  readonly status: number;
  /** Expected response headers; null = must be absent. */
  readonly expect: Record<string, string | null>;
}

const pre = (origin: string, method = 'POST', requestHeaders?: string): Record<string, string> => ({
  origin,
  'access-control-request-method': method,
  ...(requestHeaders === undefined ? {} : { 'access-control-request-headers': requestHeaders }),
});
const NO_CORS = {
  'access-control-allow-origin': null,
  'access-control-allow-methods': null,
  'access-control-allow-headers': null,
  'access-control-allow-credentials': null,
  'access-control-expose-headers': null,
};
const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

const CASES: Case[] = [
  // --- exact origins, actual requests
  {
    name: 'allowed origin on GET: origin echoed, Vary: Origin, no credentials',
    path: '/basic/ok',
    headers: { origin: 'http://example.com' },
    status: 200,
    expect: {
      'access-control-allow-origin': 'http://example.com',
      'access-control-allow-credentials': null,
      'access-control-expose-headers': null,
      vary: 'Origin',
      'x-reached': 'backend',
    },
  },
  {
    name: 'disallowed origin on GET: forwarded, no CORS headers, still Vary: Origin',
    path: '/basic/ok',
    headers: { origin: 'http://evil.com' },
    status: 200,
    expect: { ...NO_CORS, vary: 'Origin', 'x-reached': 'backend' },
  },
  {
    name: 'no Origin header: not a CORS request',
    path: '/basic/ok',
    headers: {},
    status: 200,
    expect: { ...NO_CORS, 'x-reached': 'backend' },
  },
  {
    name: 'scheme mismatch (https vs http) is not allowed',
    path: '/basic/ok',
    headers: { origin: 'https://example.com' },
    status: 200,
    expect: NO_CORS,
  },
  {
    name: 'explicit default port :80 equals the configured origin',
    path: '/basic/ok',
    headers: { origin: 'http://example.com:80' },
    status: 200,
    expect: { 'access-control-allow-origin': 'http://example.com:80' },
  },
  {
    name: 'a different port is a different origin',
    path: '/basic/ok',
    headers: { origin: 'http://example.com:8080' },
    status: 200,
    expect: NO_CORS,
  },
  {
    name: 'host compared case-insensitively',
    path: '/basic/ok',
    headers: { origin: 'http://EXAMPLE.com' },
    status: 200,
    expect: { 'access-control-allow-origin': 'http://EXAMPLE.com' },
  },
  // --- preflights
  {
    name: 'preflight: 204, methods listed, wildcard headers echo the request (comma+space), Vary',
    path: '/basic/ok',
    method: 'OPTIONS',
    headers: pre('http://example.com', 'POST', 'X-Custom,Content-Type'),
    status: 204,
    expect: {
      'access-control-allow-origin': 'http://example.com',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'X-Custom, Content-Type',
      'access-control-allow-credentials': null,
      'access-control-max-age': null,
      vary: PREFLIGHT_VARY,
      'x-reached': null,
    },
  },
  {
    name: 'preflight without request headers, credentials off: Allow-Headers *',
    path: '/basic/ok',
    method: 'OPTIONS',
    headers: pre('http://example.com'),
    status: 204,
    expect: { 'access-control-allow-headers': '*' },
  },
  {
    name: 'preflight from a disallowed origin: answered 204 without CORS headers, not forwarded',
    path: '/basic/ok',
    method: 'OPTIONS',
    headers: pre('http://evil.com'),
    status: 204,
    expect: { ...NO_CORS, vary: PREFLIGHT_VARY, 'x-reached': null },
  },
  {
    name: 'preflight is answered before authentication (no token → still 204)',
    path: '/basic/auth',
    method: 'OPTIONS',
    headers: pre('http://example.com', 'POST', 'authorization'),
    status: 204,
    expect: {
      'access-control-allow-origin': 'http://example.com',
      'access-control-allow-headers': 'authorization',
    },
  },
  {
    name: 'OPTIONS without Access-Control-Request-Method is an actual request (forwarded)',
    path: '/basic/ok',
    method: 'OPTIONS',
    headers: { origin: 'http://example.com' },
    status: 200,
    expect: { 'access-control-allow-origin': 'http://example.com', vary: 'Origin', 'x-reached': 'backend' },
  },
  {
    name: 'OPTIONS with an empty Access-Control-Request-Method is not a preflight',
    path: '/basic/ok',
    method: 'OPTIONS',
    headers: { origin: 'http://example.com', 'access-control-request-method': '' },
    status: 200,
    expect: { 'x-reached': 'backend' },
  },
  {
    name: 'OPTIONS + Access-Control-Request-Method without Origin is forwarded',
    path: '/basic/ok',
    method: 'OPTIONS',
    headers: { 'access-control-request-method': 'POST' },
    status: 200,
    expect: { ...NO_CORS, 'x-reached': 'backend' },
  },
  // --- error responses carry the headers
  ...(['401', '403', '404', '429', '500'] as const).map((code): Case => ({
    name: `${code} error response carries CORS headers`,
    path: `/basic/${code}`,
    headers: { origin: 'http://example.com' },
    status: Number(code),
    expect: { 'access-control-allow-origin': 'http://example.com', vary: 'Origin' },
  })),
  {
    name: '401 from the authentication step carries CORS headers',
    path: '/basic/auth',
    headers: { origin: 'http://example.com' },
    status: 401,
    expect: { 'access-control-allow-origin': 'http://example.com' },
  },
  // --- host globs
  {
    name: 'glob: https://*.example.com matches a subdomain, exposes configured headers',
    path: '/glob/ok',
    headers: { origin: 'https://api.example.com' },
    status: 200,
    expect: {
      'access-control-allow-origin': 'https://api.example.com',
      'access-control-expose-headers': 'x-trace',
    },
  },
  {
    name: 'glob: matches nested subdomains',
    path: '/glob/ok',
    headers: { origin: 'https://a.b.example.com' },
    status: 200,
    expect: { 'access-control-allow-origin': 'https://a.b.example.com' },
  },
  {
    name: 'glob: explicit :443 is the default port',
    path: '/glob/ok',
    headers: { origin: 'https://api.example.com:443' },
    status: 200,
    expect: { 'access-control-allow-origin': 'https://api.example.com:443' },
  },
  ...[
    ['the bare domain', 'https://example.com'],
    ['another scheme', 'http://api.example.com'],
    ['another port', 'https://api.example.com:8443'],
    ['a look-alike domain', 'https://evil-example.com'],
    ['a suffix attack', 'https://api.example.com.evil.com'],
  ].map(([what, origin]): Case => ({
    name: `glob: does not match ${what} (${origin})`,
    path: '/glob/ok',
    headers: { origin: origin! },
    status: 200,
    expect: NO_CORS,
  })),
  {
    name: 'glob: an exact entry next to the glob (http://localhost:3000)',
    path: '/glob/ok',
    headers: { origin: 'http://localhost:3000' },
    status: 200,
    expect: { 'access-control-allow-origin': 'http://localhost:3000' },
  },
  {
    name: 'glob preflight: wildcard methods echo, fixed headers listed, max-age in seconds',
    path: '/glob/ok',
    method: 'OPTIONS',
    headers: pre('https://api.example.com', 'PATCH', 'x-a'),
    status: 204,
    expect: {
      'access-control-allow-methods': 'PATCH',
      'access-control-allow-headers': 'x-a, X-B',
      'access-control-max-age': '600',
      'access-control-expose-headers': 'x-trace',
    },
  },
  // --- default ports in the config
  {
    name: 'config https://example.com:443 allows https://example.com',
    path: '/ports/ok',
    headers: { origin: 'https://example.com' },
    status: 200,
    expect: { 'access-control-allow-origin': 'https://example.com' },
  },
  {
    name: 'config http://example.org allows http://example.org:80',
    path: '/ports/ok',
    headers: { origin: 'http://example.org:80' },
    status: 200,
    expect: { 'access-control-allow-origin': 'http://example.org:80' },
  },
  {
    name: 'IPv6 origin with a port',
    path: '/ports/ok',
    headers: { origin: 'http://[::1]:8080' },
    status: 200,
    expect: { 'access-control-allow-origin': 'http://[::1]:8080' },
  },
  // --- wildcard origins, and invalid origins never match
  {
    name: '* allows any valid origin, echoed; expose * without credentials',
    path: '/star/ok',
    headers: { origin: 'http://anything.test:1234' },
    status: 200,
    expect: {
      'access-control-allow-origin': 'http://anything.test:1234',
      'access-control-expose-headers': '*',
    },
  },
  ...[
    ['null', 'null'],
    ['an origin with a path', 'http://example.com/path'],
    ['port 0', 'http://example.com:0'],
    ['a non-http scheme', 'ftp://example.com'],
    ['userinfo', 'http://user@example.com'],
  ].map(([what, origin]): Case => ({
    name: `* never matches ${what} (${origin})`,
    path: '/star/ok',
    headers: { origin: origin! },
    status: 200,
    expect: NO_CORS,
  })),
  {
    name: '* preflight without credentials: method echoed, Allow-Headers *',
    path: '/star/ok',
    method: 'OPTIONS',
    headers: pre('http://a.test', 'PUT'),
    status: 204,
    expect: { 'access-control-allow-methods': 'PUT', 'access-control-allow-headers': '*' },
  },
  // --- credentials: * is never sent
  {
    name: 'credentials: origin echoed (not *), Allow-Credentials, expose * dropped',
    path: '/creds/ok',
    headers: { origin: 'http://app.test' },
    status: 200,
    expect: {
      'access-control-allow-origin': 'http://app.test',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': null,
    },
  },
  {
    name: 'credentials preflight without request headers: no Allow-Headers * (omitted)',
    path: '/creds/ok',
    method: 'OPTIONS',
    headers: pre('http://app.test', 'DELETE'),
    status: 204,
    expect: {
      'access-control-allow-origin': 'http://app.test',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'DELETE',
      'access-control-allow-headers': null,
    },
  },
  {
    name: 'credentials preflight: wildcard headers echo what was asked',
    path: '/creds/ok',
    method: 'OPTIONS',
    headers: pre('http://app.test', 'POST', 'authorization, x-y'),
    status: 204,
    expect: { 'access-control-allow-headers': 'authorization, x-y', 'access-control-allow-methods': 'POST' },
  },
  // --- MCP-aware defaults
  {
    name: 'MCP route: Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate exposed by default',
    path: '/mcp/ok',
    mcp: true,
    headers: { origin: 'http://localhost:5173' },
    status: 200,
    expect: { 'access-control-expose-headers': 'Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate' },
  },
  {
    name: 'same policy on a non-MCP route exposes nothing',
    path: '/mcp/ok',
    headers: { origin: 'http://localhost:5173' },
    status: 200,
    expect: { 'access-control-allow-origin': 'http://localhost:5173', 'access-control-expose-headers': null },
  },
  {
    name: 'MCP preflight with allowHeaders *: MCP headers listed explicitly, request headers echoed',
    path: '/mcp/ok',
    mcp: true,
    method: 'OPTIONS',
    headers: pre('http://localhost:5173', 'POST', 'authorization, mcp-protocol-version, x-extra'),
    status: 204,
    expect: {
      'access-control-allow-headers':
        'Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID, Content-Type, x-extra',
      'access-control-allow-methods': 'GET, POST, DELETE',
      'access-control-expose-headers': 'Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate',
    },
  },
  {
    name: 'MCP preflight without request headers still lists the MCP headers',
    path: '/mcp/ok',
    mcp: true,
    method: 'OPTIONS',
    headers: pre('http://localhost:5173'),
    status: 204,
    expect: {
      'access-control-allow-headers':
        'Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID, Content-Type',
    },
  },
  {
    name: 'MCP 401 carries the exposure of WWW-Authenticate',
    path: '/mcp/401',
    mcp: true,
    headers: { origin: 'http://localhost:5173' },
    status: 401,
    expect: {
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-expose-headers': 'Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate',
    },
  },
  {
    name: 'MCP: exposeHeaders naming mcp-session-id is not duplicated; explicit allowHeaders kept as configured',
    path: '/mcpNamed/ok',
    mcp: true,
    method: 'OPTIONS',
    headers: pre('http://localhost:5173', 'POST', 'authorization'),
    status: 204,
    expect: {
      'access-control-expose-headers': 'mcp-session-id, Mcp-Protocol-Version, WWW-Authenticate',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-credentials': 'true',
    },
  },
];

describe('cors over HTTP', () => {
  let base = '';
  const closers: (() => Promise<void>)[] = [];
  after(() => Promise.all(closers.map((close) => close())));
  before(async () => {
    const compiled: Record<string, CompiledCors> = {};
    for (const [name, cfg] of Object.entries(POLICIES)) compiled[name] = compileCors(cfg, buildContext(), AT);
    // A minimal pipeline: CORS first, then a fake authentication step, then the "backend".
    base = await serve(
      (close) => closers.push(close),
      (ctx) => {
        const [, policy, outcome] = ctx.url.pathname.split('/');
        const cors = compiled[policy!];
        if (!cors) throw new Error(`no policy ${policy}`);
        if (cors.handle(ctx, { mcpBackend: ctx.url.searchParams.has('mcp') })) return;
        if (outcome === 'auth' && ctx.req.headers.authorization === undefined) {
          return sendHttpError(ctx.res, new GatewayError('AUTHN_FAILED'));
        }
        const code = ERRORS[outcome!];
        if (code) return sendHttpError(ctx.res, new GatewayError(code));
        ctx.res.writeHead(200, { 'content-type': 'text/plain', 'x-reached': 'backend' });
        ctx.res.end('ok');
      },
    );
  });

  it(`has at least 25 cases (${CASES.length})`, () => assert.ok(CASES.length >= 25));

  for (const c of CASES) {
    it(c.name, async () => {
      const url = `${base}${c.path}${c.mcp ? '?mcp=1' : ''}`;
      const r = await send(url, { method: c.method ?? 'GET', headers: c.headers });
      assert.equal(r.status, c.status, `status for ${c.method ?? 'GET'} ${c.path}`);
      for (const [name, value] of Object.entries(c.expect)) {
        assert.equal(r.headers[name] ?? null, value, `header ${name}`);
      }
      if (c.status === 204) assert.equal(r.body, '');
      const acao = r.headers['access-control-allow-origin'];
      if (r.headers['access-control-allow-credentials'] === 'true') assert.notEqual(acao, '*');
    });
  }
});

describe('cors at config load', () => {
  const fails = (cfg: CorsConfig, field: (string | number)[], message: string | RegExp): void => {
    assert.throws(() => compileCors(cfg, buildContext(), AT), located(field, message));
  };

  const warns = (cfg: CorsConfig, field: (string | number)[], message: string): void => {
    const ctx = buildContext();
    compileCors(cfg, ctx, AT);
    const w = ctx.warnings.join('\n');
    assert.ok(w.includes([...AT, ...field].join('.')), w);
    assert.ok(w.includes(message) && w.includes('never matches'), w);
  };
  // agentgateway: an entry that is not an origin never matches; the load goes on (with a warning).
  it('an origin with a path is a warning at the entry', () =>
    warns({ allowOrigins: ['http://ok.test', 'http://example.com/'] }, ['allowOrigins', 1], 'without path'));
  it('the null origin is a warning', () =>
    warns({ allowOrigins: ['null'] }, ['allowOrigins', 0], '"null" origin'));
  it('a non-http scheme is a warning', () =>
    warns({ allowOrigins: ['file://x'] }, ['allowOrigins', 0], 'scheme "file"'));
  it('port 0 is a warning', () =>
    warns({ allowOrigins: ['http://a.test:0'] }, ['allowOrigins', 0], 'out of range'));
  it('rejects an invalid method', () =>
    fails({ allowOrigins: ['*'], allowMethods: ['GET', 'GE T'] }, ['allowMethods', 1], 'not a valid method'));
  it('rejects an invalid header name', () =>
    fails(
      { allowOrigins: ['*'], allowHeaders: ['x-ok', 'bad:name'] },
      ['allowHeaders', 1],
      'not a valid header',
    ));
  it('rejects an invalid expose header name', () =>
    fails({ allowOrigins: ['*'], exposeHeaders: ['a b'] }, ['exposeHeaders', 0], 'not a valid header'));

  it('warns about * with credentials', () => {
    const ctx = buildContext();
    compileCors({ allowOrigins: ['*'], allowCredentials: true, exposeHeaders: ['*'] }, ctx, AT);
    assert.equal(ctx.warnings.length, 2);
    assert.match(ctx.warnings[0]!, /every web site can make credentialed requests/);
    assert.match(ctx.warnings[1]!, /exposeHeaders "\*" is ignored/);
  });

  it('normalises methods to upper case and drops duplicates', async (t) => {
    const cors = compileCors(
      { allowOrigins: ['http://a.test'], allowMethods: ['get', 'GET', 'post'] },
      buildContext(),
      AT,
    );
    const url = await serve(afterTest(t), (ctx) => void cors.handle(ctx, { mcpBackend: false }));
    const r = await send(url, { method: 'OPTIONS', headers: pre('http://a.test') });
    assert.equal(r.headers['access-control-allow-methods'], 'GET, POST');
  });

  it('keeps an existing Vary value and adds Origin once', async (t) => {
    const cors = compileCors({ allowOrigins: ['http://a.test'] }, buildContext(), AT);
    const url = await serve(afterTest(t), (ctx) => {
      ctx.res.setHeader('vary', 'Accept-Encoding, origin');
      cors.handle(ctx, { mcpBackend: false });
      ctx.res.end();
    });
    const r = await send(url, { headers: { origin: 'http://a.test' } });
    assert.equal(r.headers.vary, 'Accept-Encoding, origin');
  });
});

describe('parseOrigin', () => {
  it('normalises scheme and host case and default ports', () => {
    assert.deepEqual(parseOrigin('HTTPS://Example.COM'), { scheme: 'https', host: 'example.com', port: 443 });
    assert.deepEqual(parseOrigin('http://example.com:80'), { scheme: 'http', host: 'example.com', port: 80 });
  });
  it('rejects malformed origins', () => {
    for (const bad of [
      'null',
      'http://',
      'http://a.test:',
      'http://a.test:99999',
      'http://a test',
      'http://[::1',
    ]) {
      assert.equal(typeof parseOrigin(bad), 'string', bad);
    }
  });
});
