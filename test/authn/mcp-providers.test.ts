/**
 * mcpAuthentication providers okta, descope, authentik and entra through the running gateway, each
 * configured in agentgateway's syntax without `jwks` (so the provider's default JWKS location is used),
 * in front of a fake identity provider — a real HTTP server started here serving each provider's
 * OpenID configuration, JWKS (real keys), client registration and token endpoints at the places the
 * real providers keep them. Checked for each: the 401 and its resource_metadata, the protected-resource
 * and authorization-server documents served by the gateway (with the provider's adaptations), client
 * registration, a valid token accepted by an MCP SDK client, a wrong audience or issuer refused.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { jwksText, makeKey, signToken, startServer, type TestKey, type TestServer } from './helpers.js';

const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});

interface Provider {
  readonly name: 'okta' | 'descope' | 'authentik' | 'entra';
  /** Issuer path on the fake IdP. */
  readonly issuerPath: string;
  /** Where the provider serves its JWKS (the gateway must find it from the issuer alone). */
  readonly jwksPath: string;
  readonly audience: string;
  readonly extra: string;
}

const PROVIDERS: readonly Provider[] = [
  {
    name: 'okta',
    issuerPath: '/oauth2/default',
    jwksPath: '/oauth2/default/.well-known/jwks.json',
    audience: 'api://default',
    extra: '          jwtValidationOptions: {requiredClaims: [scp]}\n',
  },
  {
    name: 'descope',
    issuerPath: '/v1/apps/agentic/P1/S1',
    jwksPath: '/P1/.well-known/jwks.json',
    audience: 'descope-aud',
    extra: '          clientId: descope-client\n',
  },
  {
    name: 'authentik',
    issuerPath: '/application/o/app/',
    jwksPath: '/application/o/app/jwks/',
    audience: 'authentik-client',
    extra: '          clientId: authentik-client\n',
  },
  {
    name: 'entra',
    issuerPath: '/tenant-1/v2.0',
    jwksPath: '/tenant-1/discovery/v2.0/keys',
    audience: 'api://entra-app',
    extra: '          clientId: entra-app\n          clientSecret: s3cret-value\n',
  },
];

/** Where each provider keeps its OpenID configuration, relative to the IdP origin. */
function openidPath(p: Provider): string {
  if (p.name === 'entra') return '/tenant-1/v2.0/.well-known/openid-configuration';
  return `${p.issuerPath.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

async function body(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) s += String(c);
  return s;
}

interface Idp {
  readonly server: TestServer;
  readonly hits: Record<string, number>;
  readonly posts: { path: string; body: string; authorization: string | undefined }[];
}

async function fakeIdp(key: TestKey): Promise<Idp> {
  const hits: Record<string, number> = {};
  const posts: Idp['posts'] = [];
  let origin = '';
  const server = await startServer(async (req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    const json = (status: number, v: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    };
    if (req.method === 'POST') {
      posts.push({ path, body: await body(req), authorization: req.headers.authorization });
      if (path === '/oauth2/v1/clients') return json(201, { client_id: 'okta-dynamic' });
      if (path === '/tenant-1/oauth2/v2.0/token') return json(200, { access_token: 'from-entra' });
      return json(404, { error: 'not found' });
    }
    for (const p of PROVIDERS) {
      if (path === p.jwksPath) return json(200, JSON.parse(jwksText(key)));
      if (path === openidPath(p)) {
        const issuer = origin + p.issuerPath;
        const doc: Record<string, unknown> = {
          issuer,
          authorization_endpoint: `${origin}/${p.name}/authorize`,
          token_endpoint: `${origin}/${p.name}/token`,
          jwks_uri: origin + p.jwksPath,
          response_types_supported: ['code'],
        };
        if (p.name === 'okta') doc.registration_endpoint = `${origin}/oauth2/v1/clients`;
        if (p.name === 'descope') doc.registration_endpoint = `${origin}/v1/mgmt/somewhere`;
        if (p.name !== 'entra') doc.code_challenge_methods_supported = ['S256'];
        return json(200, doc);
      }
    }
    json(404, { error: 'not found' });
  });
  origin = server.url;
  return { server, hits, posts };
}

function config(idp: string): string {
  const routes = PROVIDERS.map(
    (p) => `    - name: ${p.name}
      matches: [{path: {pathPrefix: /${p.name}/mcp}}]
      policies:
        mcpAuthentication:
          issuer: ${idp}${p.issuerPath}
          audiences: [${p.audience}]
          provider:
            ${p.name}: {}
${p.extra}          resourceMetadata:
            scopesSupported: [openid]
      backends:
      - mcp:
          targets:
          - name: everything
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}
`,
  ).join('');
  return `binds:
- port: 0
  listeners:
  - routes:
${routes}`;
}

describe('mcpAuthentication providers through the gateway', () => {
  let key: TestKey;
  let idp: Idp;
  let gw: TestGateway;

  before(async () => {
    key = await makeKey('RS256', 'idp-key');
    idp = await fakeIdp(key);
    gw = await startGateway(config(idp.server.url), { name: 'mcp-providers' });
  });
  after(async () => {
    await gw?.stop();
    await idp?.server.close();
  });

  const tokenFor = (p: Provider, claims: Record<string, unknown> = {}) =>
    signToken(key, {
      claims: { iss: idp.server.url + p.issuerPath, aud: p.audience, scp: 'mcp', ...claims },
    });

  for (const p of PROVIDERS) {
    describe(p.name, () => {
      const resource = () => `${gw.url}/${p.name}/mcp`;

      it('answers 401 pointing at the protected-resource document, which names the gateway as AS', async () => {
        const res = await fetch(resource(), { method: 'POST', headers: MCP_HEADERS, body: INIT });
        assert.equal(res.status, 401);
        const www = res.headers.get('www-authenticate') ?? '';
        const metadata = `${gw.url}/.well-known/oauth-protected-resource/${p.name}/mcp`;
        assert.ok(www.includes(`resource_metadata="${metadata}"`), www);
        const doc = (await (await fetch(metadata)).json()) as Record<string, unknown>;
        assert.equal(doc.resource, resource());
        assert.deepEqual(doc.authorization_servers, [resource()]);
        assert.deepEqual(doc.scopes_supported, ['openid']);
      });

      it("serves the provider's metadata adapted, with the gateway as issuer", async () => {
        const asUrl = `${gw.url}/.well-known/oauth-authorization-server/${p.name}/mcp`;
        const res = await fetch(asUrl);
        assert.equal(res.status, 200);
        const doc = (await res.json()) as Record<string, unknown>;
        assert.equal(idp.hits[openidPath(p)] !== undefined, true, 'fetched from the OpenID location');
        assert.equal(doc.issuer, resource());
        assert.equal(doc.jwks_uri, idp.server.url + p.jwksPath);
        assert.equal(doc.registration_endpoint, `${asUrl}/client-registration`);
        if (p.name === 'okta') {
          const ae = new URL(String(doc.authorization_endpoint));
          assert.equal(ae.origin + ae.pathname, `${idp.server.url}/okta/authorize`);
          assert.equal(ae.searchParams.get('audience'), p.audience);
        } else if (p.name === 'entra') {
          assert.equal(doc.authorization_endpoint, `${asUrl}/authorize`);
          assert.equal(doc.token_endpoint, `${asUrl}/token`);
          assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
        } else {
          assert.equal(doc.authorization_endpoint, `${idp.server.url}/${p.name}/authorize`);
          assert.equal(doc.token_endpoint, `${idp.server.url}/${p.name}/token`);
        }
      });

      it('registers a client through the gateway', async () => {
        const asUrl = `${gw.url}/.well-known/oauth-authorization-server/${p.name}/mcp`;
        const before = idp.posts.length;
        const res = await fetch(`${asUrl}/client-registration`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ redirect_uris: ['http://localhost:1/cb'], client_id: 'mine' }),
        });
        assert.equal(res.status, 201);
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
        const doc = (await res.json()) as Record<string, unknown>;
        if (p.name === 'okta') {
          // No clientId: forwarded to Okta's org-level registration endpoint.
          assert.equal(doc.client_id, 'okta-dynamic');
          assert.equal(idp.posts.at(-1)?.path, '/oauth2/v1/clients');
        } else {
          // clientId: answered by the gateway, nothing reaches the provider.
          assert.equal(idp.posts.length, before);
          assert.equal(doc.client_id, `${p.name}-client`.replace('entra-client', 'entra-app'));
          assert.deepEqual(doc.redirect_uris, ['http://localhost:1/cb']);
          assert.equal(doc.token_endpoint_auth_method, 'none');
        }
      });

      it('accepts a valid token (JWKS found from the issuer) and refuses a wrong audience or issuer', async () => {
        const client = new Client({ name: 'provider-test', version: '1' });
        const transport = new StreamableHTTPClientTransport(new URL(resource()), {
          requestInit: { headers: { authorization: `Bearer ${await tokenFor(p)}` } },
        });
        await client.connect(transport);
        try {
          const tools = await client.listTools();
          assert.ok(tools.tools.some((t) => t.name === 'echo'));
        } finally {
          await client.close();
        }
        assert.ok((idp.hits[p.jwksPath] ?? 0) > 0, 'JWKS fetched from the provider location');

        for (const bad of [{ aud: 'someone-else' }, { iss: `${idp.server.url}/elsewhere` }]) {
          const res = await fetch(resource(), {
            method: 'POST',
            headers: { ...MCP_HEADERS, authorization: `Bearer ${await tokenFor(p, bad)}` },
            body: INIT,
          });
          assert.equal(res.status, 401, JSON.stringify(bad));
          assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
        }
      });
    });
  }

  it('okta: jwtValidationOptions.requiredClaims refuses a token without the claim', async () => {
    const okta = PROVIDERS[0]!;
    const res = await fetch(`${gw.url}/okta/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${await tokenFor(okta, { scp: undefined })}` },
      body: INIT,
    });
    assert.equal(res.status, 401);
  });

  it('entra: authorize redirects to the tenant without `resource`', async () => {
    const asUrl = `${gw.url}/.well-known/oauth-authorization-server/entra/mcp`;
    const res = await fetch(
      `${asUrl}/authorize?client_id=entra-app&resource=${encodeURIComponent(`${gw.url}/entra/mcp`)}&state=xyz&code_challenge_method=S256`,
      { redirect: 'manual' },
    );
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location') ?? '');
    assert.equal(location.origin + location.pathname, `${idp.server.url}/tenant-1/oauth2/v2.0/authorize`);
    assert.equal(location.searchParams.get('resource'), null);
    assert.equal(location.searchParams.get('state'), 'xyz');
    assert.equal(location.searchParams.get('client_id'), 'entra-app');
  });

  it('entra: the token proxy strips `resource` and adds the secret only for the configured client', async () => {
    const tokenUrl = `${gw.url}/.well-known/oauth-authorization-server/entra/mcp/token`;
    const post = (form: string) =>
      fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
    const ok = await post(
      'grant_type=authorization_code&client_id=entra-app&code=c&resource=https%3A%2F%2Fx',
    );
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { access_token: 'from-entra' });
    const sent = new URLSearchParams(idp.posts.at(-1)?.body);
    assert.equal(idp.posts.at(-1)?.path, '/tenant-1/oauth2/v2.0/token');
    assert.equal(sent.get('resource'), null);
    assert.equal(sent.get('code'), 'c');
    assert.equal(sent.get('client_secret'), 's3cret-value');

    // Another grant type or another client never gets the gateway's secret.
    await post('grant_type=client_credentials&client_id=entra-app');
    assert.equal(new URLSearchParams(idp.posts.at(-1)?.body).get('client_secret'), null);
    await post('grant_type=authorization_code&client_id=other&code=c');
    assert.equal(new URLSearchParams(idp.posts.at(-1)?.body).get('client_secret'), null);
    assert.equal((await fetch(tokenUrl)).status, 405);
  });

  it('authorizationLocation: the token is read from the configured header only', async () => {
    const okta = PROVIDERS[0]!;
    const other = await startGateway(
      `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        mcpAuthentication:
          issuer: ${idp.server.url}${okta.issuerPath}
          audiences: [${okta.audience}]
          jwks: {url: "${idp.server.url}${okta.jwksPath}"}
          authorizationLocation: {header: {name: x-token, prefix: ""}}
      backends:
      - mcp:
          targets:
          - name: everything
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}
`,
      { name: 'mcp-providers-location' },
    );
    try {
      const token = await tokenFor(okta);
      const post = (headers: Record<string, string>) =>
        fetch(`${other.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: INIT });
      assert.equal((await post({ 'x-token': token })).status, 200);
      assert.equal((await post({ authorization: `Bearer ${token}` })).status, 401);
    } finally {
      await other.stop();
    }
  });
});
