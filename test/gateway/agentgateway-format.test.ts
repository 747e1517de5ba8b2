/**
 * agentgateway's current config format through the running gateway: a named gateway with a
 * gateway-level jwtAuth, routes attached to it, a named top-level backend referenced as
 * `{backend: name}` with its own policies, backend-level backendAuth with a `location`, and
 * mcpAuthorization rules written with agentgateway's CEL library (list `contains`, `cidr`,
 * canonical `source.address`, `request.pathAndQuery`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startHeadersServer } from '../fixtures/headers-server.js';
import type { ServedFixture } from '../fixtures/serve.js';
import { everythingStdio } from '../fixtures/spawn.js';
import { AUDIENCE, ISSUER, jwksText, makeKey, signToken, type TestKey } from '../authn/helpers.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { connect, toolNames } from '../helpers/mcp-client.js';

describe('the gateways/routes/backends format', () => {
  let gw: TestGateway;
  let headers: ServedFixture;
  let key: TestKey;
  const clients: Client[] = [];

  before(async () => {
    key = await makeKey('ES256', 'k1');
    headers = await startHeadersServer();
    const everything = everythingStdio();
    gw = await startGateway(
      `
gateways:
  default:
    port: 0
    jwtAuth:
      mode: optional
      issuer: ${ISSUER}
      audiences: [${AUDIENCE}]
      jwks: '${jwksText(key)}'
routes:
  - name: headers
    matches:
      - path: { pathPrefix: /hdr }
    backends:
      - mcp:
          targets:
            - name: hdr
              mcp: { host: "${headers.url}" }
        policies:
          backendAuth:
            key:
              value: sk-test-1
              location:
                header: { name: x-api-key }
  - name: everything
    backends:
      - backend: everything
backends:
  - name: everything
    policies:
      mcpAuthorization:
        rules:
          - 'jwt.groups.contains("admins") && mcp.tool.name == "echo"'
          - 'source.address == "127.0.0.1" && cidr("127.0.0.0/8").containsIP(source.address) && mcp.tool.name == "get-sum"'
          - 'request.pathAndQuery.startsWith("/mcp") && request.version.startsWith("HTTP/1") && mcp.tool.name == "get-tiny-image"'
          - '[1, 2].contains(2) && {"k": 1}.contains("k") && base64.encode("x") == "eA==" && mcp.tool.name == "get-env"'
    mcp:
      targets:
        - name: everything
          stdio:
            cmd: ${JSON.stringify(everything.cmd)}
            args: ${JSON.stringify(everything.args)}
`,
      { name: 'agentgateway-format' },
    );
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await gw?.stop();
    await headers?.close();
  });

  test('the named backend answers on the default gateway; CEL library rules decide what each caller sees', async () => {
    const anonymous = await connect(`${gw.url}/mcp`);
    clients.push(anonymous);
    assert.deepEqual(await toolNames(anonymous), ['get-env', 'get-sum', 'get-tiny-image']);

    const admin = await connect(`${gw.url}/mcp`, {
      token: await signToken(key, { claims: { groups: ['users', 'admins'] } }),
    });
    clients.push(admin);
    assert.deepEqual(await toolNames(admin), ['echo', 'get-env', 'get-sum', 'get-tiny-image']);
    const r = await admin.callTool({ name: 'echo', arguments: { message: 'hi' } });
    assert.match(JSON.stringify(r.content), /hi/);

    const user = await connect(`${gw.url}/mcp`, {
      token: await signToken(key, { claims: { groups: ['users'] } }),
    });
    clients.push(user);
    assert.ok(!(await toolNames(user)).includes('echo'), 'groups without "admins" do not match');
  });

  test('a backend-level backendAuth key goes upstream in the header its location names', async () => {
    const client = await connect(`${gw.url}/hdr`);
    clients.push(client);
    const r = await client.callTool({ name: 'get_headers', arguments: {} });
    const seen = (r.structuredContent as { headers: Record<string, string> }).headers;
    assert.equal(seen['x-api-key'], 'sk-test-1');
    assert.equal(seen.authorization, undefined);
  });
});
