/**
 * RFC 9728 discovery through the whole gateway: under a path-prefix route the 401 advertises
 * `/.well-known/oauth-protected-resource/mcp`, and that URL must answer (it was `404 route not found`);
 * every discovery answer is `Cache-Control: no-store`; the advertised URL uses the configured public URL
 * when there is one, and never a Host that is not a valid host[:port].
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { discoverOAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/client/auth.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { jwksText, makeKey, startServer, type TestServer } from './helpers.js';

const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += String(c)));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end(method === 'POST' ? '{"jsonrpc":"2.0","id":1,"method":"ping"}' : undefined);
  });
}

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

function yaml(issuer: string, extra = ''): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - name: mcp
      matches: [{path: {pathPrefix: /mcp}}]
      policies:
        mcpAuthentication:
          issuer: ${issuer}
          audience: mcp-api
          jwks: {url: "${issuer}/.well-known/jwks.json"}
${extra}      backends:
      - mcp:
          targets:
          - name: everything
            stdio: {cmd: node, args: ["${EVERYTHING}", "stdio"]}
`;
}

describe('RFC 9728 discovery under a path-prefix route', () => {
  let as: TestServer;
  let gw: TestGateway;
  let pinned: TestGateway;
  before(async () => {
    const key = await makeKey('ES256', 'k');
    as = await startServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwksText(key));
    });
    gw = await startGateway(yaml(as.url), { name: 'discovery-prefix' });
    pinned = await startGateway(
      yaml(as.url, '          resourceMetadata: {resource: "https://mcp.example.com/mcp"}\n'),
      { name: 'discovery-pinned' },
    );
  });
  after(async () => {
    await gw?.stop();
    await pinned?.stop();
    await as?.close();
  });

  it('the URL the 401 advertises answers with the document, both no-store', async () => {
    const challenge = await send(gw.port, 'POST', '/mcp', MCP_HEADERS);
    assert.equal(challenge.status, 401);
    assert.equal(challenge.headers['cache-control'], 'no-store');
    const m = /resource_metadata="([^"]+)"/.exec(String(challenge.headers['www-authenticate']));
    assert.ok(m, String(challenge.headers['www-authenticate']));
    const advertised = new URL(m[1]!);
    assert.equal(advertised.pathname, '/.well-known/oauth-protected-resource/mcp');

    const doc = await send(gw.port, 'GET', advertised.pathname);
    assert.equal(doc.status, 200, doc.body);
    assert.equal(doc.headers['cache-control'], 'no-store');
    const body = JSON.parse(doc.body) as { resource: string; authorization_servers: string[] };
    assert.equal(body.resource, `http://127.0.0.1:${gw.port}/mcp`);
    assert.deepEqual(body.authorization_servers, [as.url]);

    // The official client finds it the same way.
    const sdk = await discoverOAuthProtectedResourceMetadata(`http://127.0.0.1:${gw.port}/mcp`);
    assert.equal(sdk.resource, `http://127.0.0.1:${gw.port}/mcp`);
  });

  it('a path outside every route is still not found', async () => {
    const r = await send(gw.port, 'GET', '/.well-known/oauth-protected-resource/elsewhere');
    assert.equal(r.status, 404);
  });

  it('a Host that is not a valid host[:port] never becomes part of an advertised URL', async () => {
    const forged = 'ex%61mple.com';
    // The request entry refuses a Host that is not host[:port] before any policy runs.
    const challenge = await send(gw.port, 'POST', '/mcp', { ...MCP_HEADERS, host: forged });
    assert.equal(challenge.status, 400);
    assert.ok(!String(challenge.headers['www-authenticate'] ?? '').includes('example'));
    assert.ok(!challenge.body.includes('example'), challenge.body);
    const doc = await send(gw.port, 'GET', '/.well-known/oauth-protected-resource/mcp', { host: forged });
    assert.equal(doc.status, 400);
    assert.ok(!doc.body.includes('example'), doc.body);
  });

  it('a configured public URL (resourceMetadata.resource) wins over the Host header', async () => {
    const challenge = await send(pinned.port, 'POST', '/mcp', { ...MCP_HEADERS, host: 'attacker.example' });
    assert.match(
      String(challenge.headers['www-authenticate']),
      /resource_metadata="https:\/\/mcp\.example\.com\/\.well-known\/oauth-protected-resource\/mcp"/,
    );
    const doc = await send(pinned.port, 'GET', '/.well-known/oauth-protected-resource/mcp', {
      host: 'attacker.example',
    });
    assert.equal(doc.status, 200);
    assert.ok(!doc.body.includes('attacker'), doc.body);
    assert.equal((JSON.parse(doc.body) as { resource: string }).resource, 'https://mcp.example.com/mcp');
  });
});
