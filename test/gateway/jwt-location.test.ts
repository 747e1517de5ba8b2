/**
 * jwtAuth `location` (header with prefix, query parameter, cookie) and `jwtValidationOptions`
 * through the running gateway, with real signed tokens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AUDIENCE, ISSUER, jwksText, makeKey, signToken, type TestKey } from '../authn/helpers.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

describe('jwtAuth location and jwtValidationOptions', () => {
  let gw: TestGateway;
  let key: TestKey;

  before(async () => {
    key = await makeKey('ES256', 'k1');
    const auth = (extra: string) => `
      jwtAuth:
        mode: strict
        issuer: ${ISSUER}
        audiences: [${AUDIENCE}]
        jwks: '${jwksText(key)}'${extra}
      directResponse: { status: 200, body: ok }`;
    gw = await startGateway(
      `
gateways:
  default:
    port: 0
routes:
  - name: header
    matches: [{ path: { pathPrefix: /header } }]
    policies:${auth('\n        location: { header: { name: x-token, prefix: "Token " } }')}
  - name: query
    matches: [{ path: { pathPrefix: /query } }]
    policies:${auth('\n        location: { queryParameter: { name: access_token } }')}
  - name: cookie
    matches: [{ path: { pathPrefix: /cookie } }]
    policies:${auth('\n        location: { cookie: { name: session } }')}
  - name: claims
    matches: [{ path: { pathPrefix: /claims } }]
    policies:${auth('\n        jwtValidationOptions: { requiredClaims: [exp, tenant] }')}
`,
      { name: 'jwt-location' },
    );
  });

  after(async () => gw?.stop());

  const status = async (path: string, headers: Record<string, string> = {}) =>
    (await fetch(`${gw.url}${path}`, { headers })).status;

  test('a header with its own prefix', async () => {
    const token = await signToken(key);
    assert.equal(await status('/header', { 'x-token': `Token ${token}` }), 200);
    assert.equal(await status('/header', { authorization: `Bearer ${token}` }), 401);
    assert.equal(await status('/header', { 'x-token': token }), 401, 'the prefix is required');
  });

  test('a query parameter', async () => {
    const token = await signToken(key);
    assert.equal(await status(`/query?access_token=${token}`), 200);
    assert.equal(await status('/query', { authorization: `Bearer ${token}` }), 401);
  });

  test('a cookie', async () => {
    const token = await signToken(key);
    assert.equal(await status('/cookie', { cookie: `theme=dark; session=${token}` }), 200);
    assert.equal(await status('/cookie', { cookie: 'session=' }), 401);
  });

  test('requiredClaims refuses tokens without a listed claim', async () => {
    const withTenant = await signToken(key, { claims: { tenant: 'acme' } });
    const without = await signToken(key);
    assert.equal(await status('/claims', { authorization: `Bearer ${withTenant}` }), 200);
    const r = await fetch(`${gw.url}/claims`, { headers: { authorization: `Bearer ${without}` } });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') ?? '', /missing required claim: tenant/);
  });
});
