/**
 * Issue 6 end to end: the route policies through the whole gateway, in their fixed order, against a
 * real MCP upstream (and a plain HTTP one for the host backend). CORS on preflights and on every error
 * (401, 403, 404, 429), MCP-aware defaults, `*` never with credentials; preflights never reach
 * authentication or the rate limit; rejected requests never consume an identity's tokens; rate limits
 * per route and per `jwt.sub`; header modifiers both ways; requestTimeout → 504; directResponse.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ServedFixture } from '../fixtures/serve.js';
import { eventually } from '../helpers/gateway.js';
import { signToken } from '../authn/helpers.js';
import { connect } from '../helpers/mcp-client.js';
import {
  bearer,
  callTool,
  initializeMessage,
  jwtAuthYaml,
  makeSigner,
  mcpBackendYaml,
  openSession,
  PROTOCOL_VERSION,
  reportedHeaders,
  rpc,
  startUpstream,
  type Signer,
  startGateway,
  type E2eGateway as TestGateway,
} from './helpers.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

/** Routes answered by directResponse have no backend. */
const DIRECT_OK = '';

function route(name: string, policies: string, backends: string): string {
  return `    - name: ${name}
      matches: [{path: {pathPrefix: /${name}}}]
      policies:
${policies}${backends}`;
}

/** A cors block (8-space indented under `policies:`). */
function corsYaml(fields: string): string {
  return `        cors:
${fields
  .trim()
  .split('\n')
  .map((l) => `          ${l.trim()}`)
  .join('\n')}
`;
}

interface HostUpstream {
  readonly url: string;
  readonly hostPort: string;
  readonly requests: Record<string, string | string[] | undefined>[];
  close(): Promise<void>;
}

/** A plain HTTP backend that answers with the request headers it saw and a few headers of its own. */
async function startHostUpstream(): Promise<HostUpstream> {
  const requests: HostUpstream['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ ...req.headers });
    if (req.url?.includes('/never')) return; // a backend that never answers (until closed)
    const body = JSON.stringify(req.headers);
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-upstream-secret': 'internal',
      'x-served-by': 'upstream',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function gatewayYaml(signer: Signer, up: string, host: string): string {
  const mcp = mcpBackendYaml(up);
  const jwt = (mode?: 'strict' | 'optional') => jwtAuthYaml(signer, mode);
  const mcpCors = corsYaml(`
    allowOrigins: ["${APP}", "https://*.example.org"]
    allowMethods: [GET, POST, DELETE]
    allowHeaders: ["*"]
    maxAge: 10m`);
  const routes = [
    // CORS + strict auth + HTTP authorization + a per-identity rate limit, in front of MCP.
    route(
      'cors',
      mcpCors +
        jwt('strict') +
        `        authorization:
          rules: ['jwt.sub != "mallory"']
        localRateLimit:
        - {maxTokens: 3, fillInterval: 1h, key: jwt.sub}
`,
      mcp,
    ),
    // Order: preflights against strict auth and a route-wide bucket of 2.
    route(
      'order',
      corsYaml(`allowOrigins: ["*"]\nallowHeaders: ["*"]`) +
        jwt('strict') +
        `        localRateLimit:
        - {maxTokens: 2, fillInterval: 1h}
        directResponse: {status: 200, body: "ok"}
`,
      DIRECT_OK,
    ),
    // Credentials: every wildcard must be answered by echoing.
    route(
      'creds',
      corsYaml(`
        allowOrigins: ["*"]
        allowMethods: ["*"]
        allowHeaders: ["*"]
        exposeHeaders: ["*"]
        allowCredentials: true`),
      mcp,
    ),
    route(
      'creds-plain',
      corsYaml(`
        allowOrigins: ["*"]
        allowHeaders: ["*"]
        allowCredentials: true`) + '        directResponse: {status: 200, body: "plain"}\n',
      DIRECT_OK,
    ),
    route(
      'nocreds-plain',
      corsYaml(`allowOrigins: ["*"]\nallowHeaders: ["*"]\nexposeHeaders: ["*"]`) +
        '        directResponse: {status: 200, body: "plain"}\n',
      DIRECT_OK,
    ),
    // Rate limits: per identity (with HTTP authorization), route-wide (twice, to show buckets are per
    // route), and on an MCP route (JSON-RPC 429 body).
    route(
      'rl-sub',
      jwt('strict') +
        `        authorization:
          rules: ['!request.path.startsWith("/rl-sub/forbidden")']
        localRateLimit:
        - {maxTokens: 2, fillInterval: 1h, key: jwt.sub}
        directResponse: {status: 200, body: "ok"}
`,
      DIRECT_OK,
    ),
    route(
      'rl-route-a',
      jwt('optional') +
        `        localRateLimit:
        - {maxTokens: 2, fillInterval: 1h}
        directResponse: {status: 200, body: "a"}
`,
      DIRECT_OK,
    ),
    route(
      'rl-route-b',
      jwt('optional') +
        `        localRateLimit:
        - {maxTokens: 2, fillInterval: 1h}
        directResponse: {status: 200, body: "b"}
`,
      DIRECT_OK,
    ),
    route(
      'rl-mcp',
      corsYaml(`allowOrigins: ["${APP}"]`) +
        `        localRateLimit:
        - {maxTokens: 1, fillInterval: 1h}
`,
      mcp,
    ),
    route(
      'rl-anon',
      jwt('optional') +
        `        localRateLimit:
        - {maxTokens: 1, fillInterval: 1h, key: jwt.sub}
        directResponse: {status: 200, body: "ok"}
`,
      DIRECT_OK,
    ),
    route(
      'rl-sdk',
      `        localRateLimit:
        - {maxTokens: 4, fillInterval: 1h}
`,
      mcp,
    ),
    // Header modifiers on MCP and on a plain HTTP backend.
    route(
      'hdr',
      jwt('optional') +
        `        requestHeaderModifier:
          add: {x-tenant: acme}
          set: {x-env: prod, authorization: "Bearer from-modifier"}
          remove: [x-debug]
        responseHeaderModifier:
          add: {x-resp-added: "yes"}
          set: {x-served-by: portcullis}
          remove: [x-ratelimit-limit]
        localRateLimit:
        - {maxTokens: 1000, fillInterval: 1h}
`,
      mcp,
    ),
    route(
      'host',
      `        requestHeaderModifier:
          add: {x-tenant: acme}
          remove: [x-debug]
        responseHeaderModifier:
          set: {x-served-by: portcullis}
          remove: [x-upstream-secret]
`,
      `      backends:
      - host: "${host}"
`,
    ),
    // Timeouts.
    route(
      'slow',
      corsYaml(`allowOrigins: ["${APP}"]`) +
        `        timeout: {requestTimeout: 3s}
`,
      mcp,
    ),
    route(
      'slowbackend',
      `        timeout: {backendRequestTimeout: 1s}
`,
      mcp,
    ),
    route(
      'hostauth',
      jwt('optional'),
      `      backends:
      - host: "${host}"
`,
    ),
    route(
      'hostslow',
      corsYaml(`allowOrigins: ["${APP}"]`) +
        `        timeout: {requestTimeout: 1s}
`,
      `      backends:
      - host: "${host}"
`,
    ),
    // Direct response behind CORS and authentication.
    route(
      'maint',
      corsYaml(`allowOrigins: ["${APP}"]`) +
        jwt('optional') +
        `        directResponse: {status: 503, body: "down for maintenance"}
`,
      DIRECT_OK,
    ),
    // Only this path exists on the listener besides the ones above: anything else is "route not found".
  ];
  return `binds:
- port: 0
  listeners:
  - routes:
${routes.join('')}`;
}

describe('route policies through the gateway', () => {
  let upstream: ServedFixture;
  let host: HostUpstream;
  let gw: TestGateway;
  let signer: Signer;
  let alice: string;

  before(async () => {
    upstream = await startUpstream();
    host = await startHostUpstream();
    signer = await makeSigner();
    alice = await signer.token('alice');
    gw = await startGateway(gatewayYaml(signer, upstream.url, host.hostPort), { name: 'e2e-policies' });
  });
  after(async () => {
    await gw?.stop();
    await upstream?.close();
    await host?.close();
  });

  const url = (path: string) => `${gw.url}${path}`;
  const preflight = (path: string, origin: string, extra: Record<string, string> = {}) =>
    fetch(url(path), {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, mcp-protocol-version, x-custom',
        ...extra,
      },
    });
  const list = (v: string | null) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);

  describe('cors', () => {
    test('a preflight is answered 204 without a token on a strict route and never reaches the upstream', async () => {
      const from = upstream.requests.length;
      const logFrom = gw.logs.length;
      const r = await preflight('/cors/mcp', APP);
      assert.equal(r.status, 204);
      assert.equal(r.headers.get('access-control-allow-origin'), APP);
      assert.equal(r.headers.get('access-control-allow-methods'), 'GET, POST, DELETE');
      const allowed = list(r.headers.get('access-control-allow-headers'));
      for (const h of [
        'authorization',
        'mcp-session-id',
        'mcp-protocol-version',
        'last-event-id',
        'content-type',
        'x-custom',
      ])
        assert.ok(allowed.includes(h), `${h} allowed: ${allowed.join(', ')}`);
      assert.equal(r.headers.get('access-control-max-age'), '600');
      assert.deepEqual(list(r.headers.get('vary')), [
        'origin',
        'access-control-request-method',
        'access-control-request-headers',
      ]);
      assert.equal(r.headers.get('www-authenticate'), null, 'jwtAuth never saw the preflight');
      assert.equal(r.headers.get('x-ratelimit-limit'), null, 'the rate limit never saw the preflight');
      assert.equal(upstream.requests.length, from);
      const line = await eventually(() =>
        gw.logs.slice(logFrom).find((l) => l['http.method'] === 'OPTIONS' && l['route'] !== undefined),
      );
      assert.equal(line['authn.reason'], undefined);
      assert.equal(line['http.status'], 204);
    });

    test('a preflight from a disallowed origin: 204 without CORS headers, not forwarded', async () => {
      const from = upstream.requests.length;
      for (const origin of [EVIL, 'https://example.org', 'http://a.example.org', 'null']) {
        const r = await preflight('/cors/mcp', origin);
        assert.equal(r.status, 204, origin);
        assert.equal(r.headers.get('access-control-allow-origin'), null, origin);
        assert.equal(r.headers.get('access-control-allow-headers'), null, origin);
      }
      assert.equal(upstream.requests.length, from);
    });

    test('an OPTIONS without Access-Control-Request-Method is an ordinary request: strict auth answers 401', async () => {
      const r = await fetch(url('/cors/mcp'), { method: 'OPTIONS', headers: { origin: APP } });
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('access-control-allow-origin'), APP);
      assert.equal(r.headers.get('access-control-allow-methods'), null);
    });

    test('host globs: https://*.example.org matches subdomains at any depth', async () => {
      for (const origin of [
        'https://a.example.org',
        'https://a.b.example.org',
        'https://A.Example.org:443',
      ]) {
        const r = await preflight('/cors/mcp', origin);
        assert.equal(r.headers.get('access-control-allow-origin'), origin, origin);
      }
    });

    test('the 401 of a strict route carries ACAO, the exposed challenge and Vary', async () => {
      const r = await rpc(url('/cors/mcp'), initializeMessage(), { origin: APP });
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('access-control-allow-origin'), APP);
      const exposed = list(r.headers.get('access-control-expose-headers'));
      for (const h of ['mcp-session-id', 'mcp-protocol-version', 'www-authenticate'])
        assert.ok(exposed.includes(h), h);
      assert.ok(list(r.headers.get('vary')).includes('origin'));
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="portcullis"');
    });

    test('a disallowed origin gets the 401 without ACAO (but with Vary: Origin)', async () => {
      const r = await rpc(url('/cors/mcp'), initializeMessage(), { origin: EVIL });
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('access-control-allow-origin'), null);
      assert.ok(list(r.headers.get('vary')).includes('origin'));
    });

    test('the 403 of HTTP authorization carries ACAO', async () => {
      const mallory = await signer.token('mallory');
      const r = await rpc(url('/cors/mcp'), initializeMessage(), { origin: APP, ...bearer(mallory) });
      assert.equal(r.status, 403);
      assert.match(r.text, /authorization failed/);
      assert.equal(r.headers.get('access-control-allow-origin'), APP);
    });

    test('a 404 of the route (unknown session) carries ACAO', async () => {
      const token = await signer.token('frank');
      const r = await rpc(
        url('/cors/mcp'),
        { jsonrpc: '2.0', id: 3, method: 'tools/list' },
        {
          origin: APP,
          ...bearer(token),
          'mcp-session-id': 'no-such-session',
          'mcp-protocol-version': PROTOCOL_VERSION,
        },
      );
      assert.equal(r.status, 404, r.text);
      assert.equal(r.headers.get('access-control-allow-origin'), APP);
    });

    test('route not found is answered before any route policy: 404 without CORS headers', async () => {
      // No route matched, so no route's cors policy applies (agentgateway: CORS is a route policy).
      const r = await fetch(url('/no-such-route'), { headers: { origin: APP } });
      assert.equal(r.status, 404);
      assert.match(await r.text(), /route not found/);
      assert.equal(r.headers.get('access-control-allow-origin'), null);
    });

    test('MCP defaults: an initialize from the page exposes Mcp-Session-Id', async () => {
      const token = await signer.token('grace');
      const r = await rpc(url('/cors/mcp'), initializeMessage(), { origin: APP, ...bearer(token) });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.headers.get('mcp-session-id'));
      assert.equal(r.headers.get('access-control-allow-origin'), APP);
      assert.ok(list(r.headers.get('access-control-expose-headers')).includes('mcp-session-id'));
      assert.ok(list(r.headers.get('vary')).includes('origin'));
    });

    test('the 429 carries ACAO, x-ratelimit-*, Retry-After and a JSON-RPC body on an MCP route', async () => {
      const first = await rpc(url('/rl-mcp/mcp'), initializeMessage(), { origin: APP });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.headers.get('x-ratelimit-limit'), '1');
      assert.equal(first.headers.get('x-ratelimit-remaining'), '0');
      const r = await rpc(url('/rl-mcp/mcp'), initializeMessage(7), { origin: APP });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('access-control-allow-origin'), APP);
      assert.equal(r.headers.get('x-ratelimit-limit'), '1');
      assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
      assert.ok(Number(r.headers.get('x-ratelimit-reset')) > 0);
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      const body = JSON.parse(r.text) as { jsonrpc: string; error: { code: number; message: string } };
      assert.equal(body.jsonrpc, '2.0');
      assert.equal(body.error.code, -32029);
      assert.equal(body.error.message, 'rate limit exceeded');
    });

    test('credentials: `*` is never sent — origin, method and headers are echoed', async () => {
      const r = await preflight('/creds/mcp', APP);
      assert.equal(r.status, 204);
      assert.equal(r.headers.get('access-control-allow-origin'), APP);
      assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(r.headers.get('access-control-allow-methods'), 'POST');
      const allowed = list(r.headers.get('access-control-allow-headers'));
      assert.ok(allowed.includes('authorization') && allowed.includes('x-custom'));
      for (const name of [
        'access-control-allow-origin',
        'access-control-allow-methods',
        'access-control-allow-headers',
        'access-control-expose-headers',
      ])
        assert.ok(!list(r.headers.get(name)).includes('*'), `${name}: ${r.headers.get(name)}`);

      const actual = await rpc(url('/creds/mcp'), initializeMessage(), { origin: APP });
      assert.equal(actual.status, 200, actual.text);
      assert.equal(actual.headers.get('access-control-allow-origin'), APP);
      const exposed = list(actual.headers.get('access-control-expose-headers'));
      assert.ok(!exposed.includes('*'), 'exposeHeaders * is dropped with credentials');
      assert.ok(exposed.includes('mcp-session-id'), 'the MCP default still exposes the session id');
    });

    test('credentials: a preflight asking for no headers gets no Allow-Headers; without credentials `*`', async () => {
      const ask = (path: string) =>
        fetch(url(path), {
          method: 'OPTIONS',
          headers: { origin: APP, 'access-control-request-method': 'GET' },
        });
      const withCreds = await ask('/creds-plain');
      assert.equal(withCreds.status, 204);
      assert.equal(withCreds.headers.get('access-control-allow-origin'), APP);
      assert.equal(withCreds.headers.get('access-control-allow-headers'), null);
      const without = await ask('/nocreds-plain');
      assert.equal(without.headers.get('access-control-allow-headers'), '*');
      assert.equal(
        without.headers.get('access-control-allow-origin'),
        APP,
        'the origin is echoed, never `*`',
      );
      assert.equal(without.headers.get('access-control-allow-credentials'), null);
      const actual = await fetch(url('/nocreds-plain'), { headers: { origin: APP } });
      assert.equal(actual.headers.get('access-control-expose-headers'), '*');
    });
  });

  describe('order', () => {
    test('preflights never reach strict jwtAuth nor the route-wide rate limit', async () => {
      for (let i = 0; i < 5; i++) {
        const r = await preflight('/order', APP);
        assert.equal(r.status, 204);
        assert.equal(r.headers.get('x-ratelimit-remaining'), null);
      }
      const one = await fetch(url('/order'), { headers: bearer(alice) });
      assert.equal(one.status, 200);
      assert.equal(one.headers.get('x-ratelimit-remaining'), '1', 'the 5 preflights took no token');
    });

    test('requests rejected by authentication do not consume the identity bucket', async () => {
      const carol = await signer.token('carol');
      const forged = carol.slice(0, -2) + (carol.at(-2) === 'A' ? 'B' : 'A') + carol.at(-1);
      const expired = await signToken(signer.key, {
        claims: {
          sub: 'carol',
          iat: Math.floor(Date.now() / 1000) - 7200,
          exp: Math.floor(Date.now() / 1000) - 3600,
        },
      });
      for (const bad of [forged, expired, forged, expired, forged]) {
        const r = await fetch(url('/rl-sub/ok'), { headers: bearer(bad) });
        assert.equal(r.status, 401);
        assert.equal(r.headers.get('x-ratelimit-limit'), null, 'the rate limit never ran');
      }
      for (const remaining of ['1', '0']) {
        const r = await fetch(url('/rl-sub/ok'), { headers: bearer(carol) });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-ratelimit-remaining'), remaining);
      }
      assert.equal((await fetch(url('/rl-sub/ok'), { headers: bearer(carol) })).status, 429);
    });

    test('requests refused by HTTP authorization do not consume the identity bucket', async () => {
      const dave = await signer.token('dave');
      for (let i = 0; i < 4; i++) {
        const r = await fetch(url('/rl-sub/forbidden'), { headers: bearer(dave) });
        assert.equal(r.status, 403);
      }
      const r = await fetch(url('/rl-sub/ok'), { headers: bearer(dave) });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-ratelimit-remaining'), '1');
    });
  });

  describe('localRateLimit', () => {
    test('per jwt.sub: two identities do not starve each other', async () => {
      const erin = await signer.token('erin');
      const fred = await signer.token('fred');
      for (const remaining of ['1', '0']) {
        const r = await fetch(url('/rl-sub/ok'), { headers: bearer(erin) });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-ratelimit-remaining'), remaining);
      }
      const denied = await fetch(url('/rl-sub/ok'), { headers: bearer(erin) });
      assert.equal(denied.status, 429);
      assert.equal(denied.headers.get('x-ratelimit-limit'), '2');
      assert.equal(denied.headers.get('x-ratelimit-remaining'), '0');
      assert.ok(Number(denied.headers.get('retry-after')) >= 1);
      assert.match(denied.headers.get('content-type') ?? '', /text\/plain/);
      assert.match(await denied.text(), /rate limit exceeded/);
      // erin's empty bucket leaves fred's untouched, and a new token for erin is still erin.
      const other = await fetch(url('/rl-sub/ok'), { headers: bearer(fred) });
      assert.equal(other.status, 200);
      assert.equal(other.headers.get('x-ratelimit-remaining'), '1');
      const erinAgain = await signer.token('erin', { jti: 'another' });
      assert.equal((await fetch(url('/rl-sub/ok'), { headers: bearer(erinAgain) })).status, 429);
    });

    test('route-wide: callers share one bucket per route; another route has its own', async () => {
      const tokens = [alice, await signer.token('bob')];
      for (const [i, t] of tokens.entries()) {
        const r = await fetch(url('/rl-route-a'), { headers: bearer(t) });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-ratelimit-remaining'), String(1 - i));
      }
      const anon = await fetch(url('/rl-route-a'));
      assert.equal(anon.status, 429, 'a third caller finds the shared bucket empty');
      const b = await fetch(url('/rl-route-b'));
      assert.equal(b.status, 200);
      assert.equal(await b.text(), 'b');
      assert.equal(b.headers.get('x-ratelimit-remaining'), '1');
    });

    test('keyed: callers without a token share the anonymous bucket; sub "anonymous" has its own', async () => {
      assert.equal((await fetch(url('/rl-anon'))).status, 200);
      assert.equal((await fetch(url('/rl-anon'))).status, 429, 'the second anonymous caller');
      const named = await signer.token('anonymous');
      assert.equal((await fetch(url('/rl-anon'), { headers: bearer(named) })).status, 200);
    });

    test('the SDK client surfaces a 429 as an error that names the rate limit', async () => {
      const client = await connect(url('/rl-sdk/mcp'));
      try {
        // initialize + initialized (+ maybe the GET stream) took tokens; calls exhaust the rest.
        let failure: unknown;
        for (let i = 0; i < 5 && failure === undefined; i++) {
          await client
            .callTool({ name: 'echo', arguments: { message: 'x' } })
            .catch((e: unknown) => (failure = e));
        }
        assert.ok(failure instanceof Error, 'a call was refused');
        assert.match(failure.message, /429|rate limit exceeded/);
      } finally {
        await client.close();
      }
    });
  });

  describe('header modifiers', () => {
    test('requestHeaderModifier reaches the MCP upstream after hygiene (add, set, remove)', async () => {
      const session = await openSession(url('/hdr/mcp'), {
        ...bearer(alice),
        'x-debug': 'on',
        'x-tenant': 'client',
      });
      const r = await callTool(url('/hdr/mcp'), session, 'get_headers');
      assert.equal(r.status, 200, r.text);
      const seen = reportedHeaders(r);
      assert.equal(seen['x-tenant'], 'client, acme');
      assert.equal(seen['x-env'], 'prod');
      assert.equal(seen['x-debug'], undefined);
      assert.equal(seen.authorization, 'Bearer from-modifier', 'set re-adds what hygiene stripped');
    });

    test('responseHeaderModifier shapes MCP responses and error responses alike', async () => {
      const ok = await rpc(url('/hdr/mcp'), initializeMessage(), bearer(alice));
      assert.equal(ok.status, 200);
      const bad = await rpc(url('/hdr/mcp'), initializeMessage(), bearer(alice.slice(0, -3) + 'xyz'));
      assert.equal(bad.status, 401);
      for (const r of [ok, bad]) {
        assert.equal(r.headers.get('x-resp-added'), 'yes');
        assert.equal(r.headers.get('x-served-by'), 'portcullis');
      }
      // remove applies to headers set by later phases too (the rate limit writes its headers after).
      assert.equal(ok.headers.get('x-ratelimit-limit'), null);
      assert.ok(ok.headers.get('x-ratelimit-remaining'));
    });

    test('plain HTTP backend: a verified token is removed before the upstream too', async () => {
      const r = await fetch(url('/hostauth/x'), { headers: { ...bearer(alice), 'x-custom': 'yes' } });
      assert.equal(r.status, 200);
      const seen = (await r.json()) as Record<string, string>;
      assert.equal(seen.authorization, undefined);
      assert.equal(seen['x-custom'], 'yes');
      const opaque = (await (
        await fetch(url('/hostauth/x'), { headers: { authorization: 'Basic dTpw' } })
      ).json()) as Record<string, string>;
      assert.equal(opaque.authorization, 'Basic dTpw', 'a non-bearer credential is not jwtAuth business');
    });

    test('plain HTTP backend: the body is streamed unchanged, so its Content-Encoding goes with it', async () => {
      const body = gzipSync(Buffer.from('{"hello":"world"}'));
      const r = await fetch(url('/host/upload'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body,
      });
      assert.equal(r.status, 200);
      const seen = (await r.json()) as Record<string, string>;
      assert.equal(seen['content-encoding'], 'gzip');
      assert.equal(seen['content-type'], 'application/json');
    });

    test('plain HTTP backend: request headers modified, upstream response headers set and removed', async () => {
      const r = await fetch(url('/host/anything?q=1'), { headers: { 'x-debug': 'on', 'x-custom': 'yes' } });
      assert.equal(r.status, 200);
      const seen = (await r.json()) as Record<string, string>;
      assert.equal(seen['x-tenant'], 'acme');
      assert.equal(seen['x-custom'], 'yes');
      assert.equal(seen['x-debug'], undefined);
      assert.equal(r.headers.get('x-served-by'), 'portcullis');
      assert.equal(r.headers.get('x-upstream-secret'), null);
    });
  });

  describe('timeout', () => {
    test('requestTimeout on an MCP route: a slow tool call ends in 504 with a JSON-RPC error', async () => {
      const session = await openSession(url('/slow/mcp'), { origin: APP });
      const r = await callTool(url('/slow/mcp'), session, 'sleep', { ms: 120_000 }, { origin: APP });
      assert.equal(r.status, 504, r.text);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(r.headers.get('access-control-allow-origin'), APP);
      const body = JSON.parse(r.text) as { error: { code: number; message: string } };
      assert.equal(body.error.message, 'request timeout');
      assert.equal(typeof body.error.code, 'number');
      // The SDK client sees the reason.
      const client = await connect(url('/slow/mcp'));
      try {
        await assert.rejects(
          client.callTool({ name: 'sleep', arguments: { ms: 120_000 } }),
          /504|request timeout/,
        );
      } finally {
        await client.close();
      }
      // The session is still usable afterwards.
      const echo = await callTool(url('/slow/mcp'), session, 'echo', { message: 'after' });
      assert.equal(echo.status, 200, echo.text);
      assert.match(echo.text, /Echo: after/);
    });

    test('backendRequestTimeout on an MCP route: a slow upstream call ends in 504 with a JSON-RPC error', async () => {
      const session = await openSession(url('/slowbackend/mcp'));
      const r = await callTool(url('/slowbackend/mcp'), session, 'sleep', { ms: 120_000 });
      const body = JSON.parse(r.text) as { id: unknown; error?: { code: number; message: string } };
      assert.equal(body.id, 2, 'the error answers the call');
      assert.match(body.error?.message ?? '', /timed? ?out/);
      assert.equal(r.status, 504, r.text);
    });
  });

  test('requestTimeout on a plain HTTP route: 504 request timeout in text, with CORS', async () => {
    const r = await fetch(url('/hostslow/never'), { headers: { origin: APP } });
    assert.equal(r.status, 504);
    assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(await r.text(), /request timeout/);
    assert.equal(r.headers.get('access-control-allow-origin'), APP);
  });

  describe('directResponse', () => {
    test('answers by itself after CORS and authentication', async () => {
      const r = await fetch(url('/maint'), { headers: { origin: APP } });
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(r.headers.get('content-length'), String(Buffer.byteLength('down for maintenance')));
      assert.equal(await r.text(), 'down for maintenance');
      assert.equal(r.headers.get('access-control-allow-origin'), APP);
      const head = await fetch(url('/maint'), { method: 'HEAD' });
      assert.equal(head.status, 503);
      assert.equal(await head.text(), '');
      const unauth = await fetch(url('/maint'), { headers: bearer('not.a.token') });
      assert.equal(unauth.status, 401, 'authentication runs before the direct response');
    });
  });
});
