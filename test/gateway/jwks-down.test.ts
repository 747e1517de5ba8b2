/**
 * A remote JWKS that is down when the gateway starts: the gateway starts anyway, the route answers
 * 401 with the reason, fetching retries, and once the JWKS answers tokens are accepted. The
 * `portcullis_jwks_fetch_total` metric shows the failures and the success.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AUDIENCE,
  ISSUER,
  jwksText,
  makeKey,
  signToken,
  startServer,
  type TestKey,
} from '../authn/helpers.js';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';

describe('remote JWKS down at start-up', () => {
  let gw: TestGateway;
  let key: TestKey;
  let port: number;
  let jwks: Awaited<ReturnType<typeof startServer>> | undefined;

  before(async () => {
    key = await makeKey('ES256', 'k1');
    // A port that was free a moment ago and has nothing listening now.
    const probe = await startServer(() => {});
    port = probe.port;
    await probe.close();
    gw = await startGateway(
      `
gateways:
  default:
    port: 0
routes:
  - policies:
      jwtAuth:
        mode: strict
        issuer: ${ISSUER}
        audiences: [${AUDIENCE}]
        jwks: { url: "http://127.0.0.1:${port}/jwks.json" }
      directResponse: { status: 200, body: ok }
`,
      { name: 'jwks-down' },
    );
  });

  after(async () => {
    await gw?.stop();
    await jwks?.close();
  });

  test('starts, refuses with the reason, then verifies once the JWKS answers', async () => {
    const token = await signToken(key);
    const get = () => fetch(`${gw.url}/`, { headers: { authorization: `Bearer ${token}` } });
    const down = await get();
    assert.equal(down.status, 401);
    assert.match(down.headers.get('www-authenticate') ?? '', /JWKS not available yet/);

    const metrics = await (await fetch(`${gw.statsUrl}/metrics`)).text();
    assert.match(metrics, /portcullis_jwks_fetch_total\{result="failure"\} [1-9]/);

    jwks = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwksText(key));
    }, port);
    await eventually(async () => (await get()).status === 200, 20_000, 100);
    const after = await (await fetch(`${gw.statsUrl}/metrics`)).text();
    assert.match(after, /portcullis_jwks_fetch_total\{result="success"\} [1-9]/);
  });
});
