/**
 * mcpAuthentication over real sockets: a small node:http "gateway" drives handleWellKnown /
 * authenticator / challenge the way the pipeline does, in front of a fake authorization server (also
 * real HTTP). The MCP SDK client's own OAuth discovery then has to find its way from the 401 to the
 * authorization server's login page.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  discoverOAuthProtectedResourceMetadata,
  UnauthorizedError,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { MemoryProvider } from '../helpers/oauth-provider.js';
import type { McpAuthenticationConfig } from '../../src/config/schema/policies.js';
import {
  compileMcpAuthentication,
  type McpAuthenticationDeps,
} from '../../src/policies/mcp-authentication/index.js';
import type { CompiledMcpAuthentication } from '../../src/policies/types.js';
import {
  buildContext,
  fakeClock,
  jwksText,
  makeKey,
  requestContext,
  signToken,
  startServer,
  type TestKey,
  type TestServer,
} from './helpers.js';

const AT = ['binds', 0, 'listeners', 0, 'routes', 0, 'policies', 'mcpAuthentication'];
const AUD = 'mcp-api';

interface FakeAs {
  readonly server: TestServer;
  /** The issuer (server URL + optional realm path). */
  readonly issuer: string;
  readonly hits: Record<string, number>;
  readonly registrations: { path: string; body: unknown; authorization: string | undefined }[];
  down: boolean;
}

async function body(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) s += String(c);
  return s;
}

/** A minimal OAuth authorization server: RFC 8414 / OpenID metadata, JWKS, dynamic registration (generic and Keycloak). */
async function fakeAs(t: TestContext, key: TestKey, realm = ''): Promise<FakeAs> {
  const state = {
    hits: {} as Record<string, number>,
    registrations: [] as FakeAs['registrations'],
    down: false,
  } as FakeAs;
  const server = await startServer(async (req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    state.hits[path] = (state.hits[path] ?? 0) + 1;
    const json = (status: number, v: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    // RFC 8414 metadata; Keycloak's provider reads the same document as OpenID configuration.
    if (
      path === `${realm}/.well-known/oauth-authorization-server` ||
      path === `${realm}/.well-known/openid-configuration`
    ) {
      if (state.down) return json(500, { error: 'down' });
      return json(200, {
        issuer: state.issuer,
        authorization_endpoint: `${state.issuer}/authorize?prompt=login`,
        token_endpoint: `${state.issuer}/token`,
        registration_endpoint: `${state.issuer}/register`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (path === `${realm}/.well-known/jwks.json` || path === `${realm}/protocol/openid-connect/certs`) {
      return json(200, JSON.parse(jwksText(key)));
    }
    if (
      req.method === 'POST' &&
      (path === `${realm}/register` || path === `${realm}/clients-registrations/openid-connect`)
    ) {
      const meta = JSON.parse(await body(req)) as Record<string, unknown>;
      state.registrations.push({ path, body: meta, authorization: req.headers.authorization });
      return json(201, { ...meta, client_id: path.endsWith('openid-connect') ? 'kc-client' : 'dyn-client' });
    }
    json(404, { error: 'not found' });
  });
  t.after(() => server.close());
  Object.assign(state, { server, issuer: server.url + realm });
  return state;
}

/** The gateway side, as src/server/pipeline.ts sequences it. */
async function gateway(
  t: TestContext,
  cfg: McpAuthenticationConfig,
  deps: McpAuthenticationDeps = {},
): Promise<{ url: string; m: CompiledMcpAuthentication }> {
  const m = await compileMcpAuthentication(cfg, buildContext(), AT, deps);
  t.after(() => m.close());
  const server = await startServer(async (req, res) => {
    const ctx = requestContext(req, res);
    if (await m.handleWellKnown(ctx)) return;
    try {
      ctx.identity = await m.authenticator.authenticate(req, ctx.log);
    } catch (e) {
      m.challenge(ctx, (e as Error).message);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sub: ctx.identity?.sub ?? null }));
  });
  t.after(() => server.close());
  return { url: server.url, m };
}

const get = (url: string, init?: RequestInit) => fetch(url, init);

describe('protected resource metadata (RFC 9728)', () => {
  it('serves the document for the resource path, with CORS', async (t) => {
    const key = await makeKey('ES256', 'k');
    const as = await fakeAs(t, key);
    const { url } = await gateway(t, {
      issuer: as.issuer,
      audience: AUD,
      scopesSupported: ['mcp:read', 'mcp:write'],
      resourceMetadata: {
        resourceDocumentation: 'https://docs.example/mcp',
        resourcePolicyUri: 'https://p.example',
      },
    });
    const res = await get(`${url}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, OPTIONS');
    assert.deepEqual(await res.json(), {
      resource: `${url}/mcp`,
      authorization_servers: [as.issuer],
      scopes_supported: ['mcp:read', 'mcp:write'],
      bearer_methods_supported: ['header'],
      resource_documentation: 'https://docs.example/mcp',
      resource_policy_uri: 'https://p.example',
    });
    const root = (await (await get(`${url}/.well-known/oauth-protected-resource`)).json()) as {
      resource: string;
    };
    assert.equal(root.resource, url);

    const head = await get(`${url}/.well-known/oauth-protected-resource/mcp`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const pre = await get(`${url}/.well-known/oauth-protected-resource/mcp`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /mcp-protocol-version/);
    const post = await get(`${url}/.well-known/oauth-protected-resource/mcp`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD, OPTIONS');
  });

  it('resourceMetadata.resource overrides the computed resource and the challenge URL', async (t) => {
    const key = await makeKey('ES256', 'k');
    const as = await fakeAs(t, key);
    const { url } = await gateway(t, {
      issuer: as.issuer,
      audience: AUD,
      resourceMetadata: { resource: 'https://mcp.example.com/mcp' },
    });
    const doc = (await (await get(`${url}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(doc.resource, 'https://mcp.example.com/mcp');
    const res = await get(`${url}/mcp`);
    assert.equal(
      res.headers.get('www-authenticate'),
      'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it('other paths are not answered by handleWellKnown', async (t) => {
    const key = await makeKey('ES256', 'k');
    const as = await fakeAs(t, key);
    const { url } = await gateway(t, { issuer: as.issuer, audience: AUD, mode: 'permissive' });
    assert.deepEqual(await (await get(`${url}/.well-known/oauth-protected-resourceX`)).json(), { sub: null });
    assert.deepEqual(await (await get(`${url}/.well-known/openid-configuration`)).json(), { sub: null });
  });
});

describe('the 401 challenge', () => {
  it('strict (default): no token → 401 JSON with resource_metadata; bad token adds invalid_token', async (t) => {
    const key = await makeKey('ES256', 'k');
    const as = await fakeAs(t, key);
    const { url } = await gateway(t, { issuer: as.issuer, audience: AUD, scopesSupported: ['mcp'] });
    const meta = `${url}/.well-known/oauth-protected-resource/mcp`;

    const none = await get(`${url}/mcp`, { method: 'POST' });
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('content-type'), 'application/json');
    assert.equal(none.headers.get('www-authenticate'), `Bearer resource_metadata="${meta}", scope="mcp"`);
    assert.deepEqual(await none.json(), {
      error: 'unauthorized',
      error_description: 'authorization header missing',
    });

    const expired = await signToken(key, { claims: { iss: as.issuer, aud: AUD, exp: 1000 } });
    const bad = await get(`${url}/mcp`, { headers: { authorization: `Bearer ${expired}` } });
    assert.equal(bad.status, 401);
    assert.equal(
      bad.headers.get('www-authenticate'),
      `Bearer resource_metadata="${meta}", scope="mcp", error="invalid_token", error_description="token expired"`,
    );
    assert.deepEqual(await bad.json(), { error: 'unauthorized', error_description: 'token expired' });

    const good = await signToken(key, { claims: { iss: as.issuer, aud: AUD } });
    const ok = await get(`${url}/mcp`, { headers: { authorization: `Bearer ${good}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { sub: 'alice' });
    // The default JWKS location of a plain issuer.
    assert.equal(as.hits['/.well-known/jwks.json'], 1);
  });

  it('optional never challenges a caller without a token; permissive not even a bad one', async (t) => {
    const key = await makeKey('ES256', 'k');
    const as = await fakeAs(t, key);
    const optional = await gateway(t, { issuer: as.issuer, audience: AUD, mode: 'optional' });
    const permissive = await gateway(t, { issuer: as.issuer, audience: AUD, mode: 'permissive' });
    const bad = { headers: { authorization: 'Bearer a.b.c' } };
    assert.deepEqual(await (await get(`${optional.url}/mcp`)).json(), { sub: null });
    assert.equal((await get(`${optional.url}/mcp`, bad)).status, 401);
    assert.deepEqual(await (await get(`${permissive.url}/mcp`, bad)).json(), { sub: null });
  });
});

describe('authorization server metadata proxy', () => {
  it('auth0: the gateway is the advertised AS and appends audience to authorization_endpoint', async (t) => {
    const key = await makeKey('ES256', 'k');
    const as = await fakeAs(t, key);
    const clock = fakeClock();
    const { url } = await gateway(
      t,
      { issuer: `${as.issuer}/`, audience: AUD, provider: { auth0: {} } },
      { now: clock.now, asMetadataTtlMs: 60_000 },
    );
    const prm = (await (await get(`${url}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<
      string,
      unknown
    >;
    assert.deepEqual(prm.authorization_servers, [`${url}/mcp`]);

    const res = await get(`${url}/.well-known/oauth-authorization-server/mcp`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const doc = (await res.json()) as Record<string, string>;
    assert.equal(doc.authorization_endpoint, `${as.issuer}/authorize?prompt=login&audience=${AUD}`);
    assert.equal(doc.token_endpoint, `${as.issuer}/token`);

    // Cached: a second read does not go upstream; after the TTL it does.
    await get(`${url}/.well-known/oauth-authorization-server/mcp`);
    assert.equal(as.hits['/.well-known/oauth-authorization-server'], 1);
    clock.advance(61_000);
    await get(`${url}/.well-known/oauth-authorization-server/mcp`);
    assert.equal(as.hits['/.well-known/oauth-authorization-server'], 2);

    // Upstream failure: 502, not cached.
    as.down = true;
    clock.advance(61_000);
    const down = await get(`${url}/.well-known/oauth-authorization-server/mcp`);
    assert.equal(down.status, 502);
    assert.equal(down.headers.get('access-control-allow-origin'), '*');
    as.down = false;
    assert.equal((await get(`${url}/.well-known/oauth-authorization-server/mcp`)).status, 200);
  });

  it('keycloak: registration_endpoint points at the gateway, which forwards to Keycloak', async (t) => {
    const key = await makeKey('RS256', 'kc');
    const as = await fakeAs(t, key, '/realms/demo');
    const { url } = await gateway(t, { issuer: as.issuer, audience: AUD, provider: { keycloak: {} } });
    // The Keycloak JWKS location.
    assert.equal(as.hits['/realms/demo/protocol/openid-connect/certs'], 1);

    const doc = (await (await get(`${url}/.well-known/oauth-authorization-server/mcp`)).json()) as Record<
      string,
      string
    >;
    const reg = `${url}/.well-known/oauth-authorization-server/mcp/client-registration`;
    assert.equal(doc.registration_endpoint, reg);
    assert.equal(
      doc.authorization_endpoint,
      `${as.issuer}/authorize?prompt=login`,
      'no audience for keycloak',
    );

    const pre = await get(reg, { method: 'OPTIONS' });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-methods'), 'POST, OPTIONS');
    assert.equal((await get(reg)).status, 405);

    const res = await get(reg, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer initial-access' },
      body: JSON.stringify({ redirect_uris: ['http://localhost/cb'] }),
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(await res.json(), { redirect_uris: ['http://localhost/cb'], client_id: 'kc-client' });
    assert.deepEqual(as.registrations, [
      {
        path: '/realms/demo/clients-registrations/openid-connect',
        body: { redirect_uris: ['http://localhost/cb'] },
        authorization: 'Bearer initial-access',
      },
    ]);
  });
});

describe('config errors', () => {
  const cases: { name: string; cfg: McpAuthenticationConfig; error: RegExp }[] = [
    {
      name: 'jwks and jwksUrl together',
      cfg: { issuer: 'https://i.example', jwks: '{"keys":[]}', jwksUrl: 'https://i.example/k' },
      error: /mcpAuthentication\.jwksUrl: set either jwks or jwksUrl, not both/,
    },
    {
      name: 'an issuer that is not a URL and no JWKS',
      cfg: { issuer: 'agentgateway.dev' },
      error: /mcpAuthentication\.issuer: issuer is not an http\(s\) URL, so set jwks or jwksUrl/,
    },
    {
      name: 'a resource that is not a URL',
      cfg: {
        issuer: 'x',
        jwks: { file: 'test/fixtures/seed-jwt/pub-key' },
        resourceMetadata: { resource: 'mcp' },
      },
      error: /resourceMetadata\.resource: resourceMetadata\.resource must be an absolute http\(s\) URL/,
    },
    {
      name: 'an invalid scope',
      cfg: { issuer: 'x', jwks: { file: 'test/fixtures/seed-jwt/pub-key' }, scopesSupported: ['a"b'] },
      error: /scopesSupported\.0: "a"b" is not a valid OAuth scope/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await assert.rejects(compileMcpAuthentication(c.cfg, buildContext(), AT), c.error);
    });
  }
  it('an unreachable default JWKS is a warning that names the URL at issuer (the gateway starts)', async () => {
    const ctx = buildContext();
    const auth = await compileMcpAuthentication({ issuer: 'http://127.0.0.1:9/realm' }, ctx, AT);
    auth.close();
    assert.match(
      ctx.warnings.join('\n'),
      /mcpAuthentication\.issuer: cannot fetch JWKS from http:\/\/127\.0\.0\.1:9\/realm\/\.well-known\/jwks\.json: /,
    );
  });
});

/** Connect the SDK client with an OAuth provider; the gateway's 401 must lead it to the AS login page. */
async function sdkLoginUrl(mcpUrl: string): Promise<{ url: URL; provider: MemoryProvider }> {
  const provider = new MemoryProvider();
  const client = new Client({ name: 'oauth-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
  await assert.rejects(client.connect(transport), UnauthorizedError);
  await client.close().catch(() => {});
  assert.ok(provider.redirectedTo, 'the SDK reached redirectToAuthorization');
  return { url: provider.redirectedTo, provider };
}

describe('the MCP SDK client discovers what to do', () => {
  it('discoverOAuthProtectedResourceMetadata reads the gateway document', async (t) => {
    const key = await makeKey('ES256', 'k');
    const as = await fakeAs(t, key);
    const { url } = await gateway(t, { issuer: as.issuer, audience: AUD, scopesSupported: ['mcp'] });
    const doc = await discoverOAuthProtectedResourceMetadata(`${url}/mcp`);
    assert.equal(doc.resource, `${url}/mcp`);
    assert.deepEqual(doc.authorization_servers, [as.issuer]);
    assert.deepEqual(doc.scopes_supported, ['mcp']);
    assert.deepEqual(doc.bearer_methods_supported, ['header']);
  });

  it('plain issuer: 401 → metadata → AS discovery → registration → authorization URL with resource and PKCE', async (t) => {
    const key = await makeKey('ES256', 'k');
    const as = await fakeAs(t, key);
    const { url } = await gateway(t, { issuer: as.issuer, audience: AUD, scopesSupported: ['mcp'] });
    const { url: login, provider } = await sdkLoginUrl(`${url}/mcp`);
    assert.equal(login.origin + login.pathname, `${as.issuer}/authorize`);
    assert.equal(login.searchParams.get('client_id'), 'dyn-client');
    assert.equal(login.searchParams.get('resource'), `${url}/mcp`);
    assert.equal(login.searchParams.get('scope'), 'mcp');
    assert.equal(login.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(provider.client?.client_id, 'dyn-client');
  });

  it('auth0: the login URL carries the audience the gateway added', async (t) => {
    const key = await makeKey('ES256', 'k');
    const as = await fakeAs(t, key);
    const { url } = await gateway(t, { issuer: as.issuer, audience: AUD, provider: { auth0: {} } });
    const { url: login } = await sdkLoginUrl(`${url}/mcp`);
    assert.equal(login.searchParams.get('audience'), AUD);
    assert.equal(login.searchParams.get('client_id'), 'dyn-client');
  });

  it('keycloak: the SDK registers through the gateway', async (t) => {
    const key = await makeKey('ES256', 'k');
    const as = await fakeAs(t, key, '/realms/demo');
    const { url } = await gateway(t, { issuer: as.issuer, audience: AUD, provider: { keycloak: {} } });
    const { url: login } = await sdkLoginUrl(`${url}/mcp`);
    assert.equal(login.searchParams.get('client_id'), 'kc-client');
    assert.equal(as.registrations.length, 1);
    assert.equal(as.registrations[0]!.path, '/realms/demo/clients-registrations/openid-connect');
  });
});

describe('mcpAuthentication jwtValidationOptions', () => {
  it('requiredClaims refuses a token without a listed claim', async () => {
    const key = await makeKey('ES256', 'k1');
    const auth = await compileMcpAuthentication(
      {
        issuer: 'https://issuer.test',
        jwks: jwksText(key),
        jwtValidationOptions: { requiredClaims: ['exp', 'tenant'] },
      },
      buildContext(),
      AT,
    );
    const headers = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
    const ok = await auth.authenticator.authenticate(
      headers(await signToken(key, { claims: { tenant: 'a' } })),
    );
    assert.equal(ok?.claims.tenant, 'a');
    await assert.rejects(
      auth.authenticator.authenticate(headers(await signToken(key))),
      /missing required claim: tenant/,
    );
    auth.close();
  });
});
