/**
 * agentgateway's conditional `directResponse` and `bodyExpression` through the running gateway: the
 * first entry whose CEL condition holds answers; with none, the backend answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../authn/helpers.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

describe('conditional directResponse', () => {
  let gw: TestGateway;
  let upstream: Awaited<ReturnType<typeof startServer>>;

  before(async () => {
    upstream = await startServer((_req, res) => res.writeHead(200).end('from the backend'));
    gw = await startGateway(
      `
gateways:
  default:
    port: 0
routes:
  - name: cond
    matches: [{ path: { pathPrefix: /cond } }]
    policies:
      directResponse:
        conditional:
          - condition: 'request.headers["x-mode"] == "teapot"'
            status: 418
            body: short and stout
          - condition: 'request.pathAndQuery.contains("echo=")'
            status: 200
            bodyExpression: '"you said " + request.pathAndQuery.split("echo=")[1]'
    backends:
      - host: 127.0.0.1:${upstream.port}
  - name: always
    matches: [{ path: { pathPrefix: /always } }]
    policies:
      # An entry that is not an origin never matches; it does not fail the load (agentgateway).
      cors: { allowOrigins: ["https://ok.example", "https://bad.example/path"] }
      directResponse: { status: 200, bodyExpression: 'request.method + " " + request.path' }
`,
      { name: 'direct-response-conditional' },
    );
  });

  after(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${gw.url}${path}`, { headers });
    return [r.status, await r.text()] as const;
  };

  test('the first entry whose condition holds answers', async () => {
    assert.deepEqual(await get('/cond', { 'x-mode': 'teapot' }), [418, 'short and stout']);
    assert.deepEqual(await get('/cond?echo=hello'), [200, 'you said hello']);
  });

  test('with no matching entry the backend answers', async () => {
    assert.deepEqual(await get('/cond'), [200, 'from the backend']);
  });

  test('bodyExpression without conditions', async () => {
    assert.deepEqual(await get('/always/x'), [200, 'GET /always/x']);
  });

  test('a CORS entry that is not an origin loads and never matches', async () => {
    const ok = await fetch(`${gw.url}/always/x`, { headers: { origin: 'https://ok.example' } });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://ok.example');
    const bad = await fetch(`${gw.url}/always/x`, { headers: { origin: 'https://bad.example' } });
    assert.equal(bad.headers.get('access-control-allow-origin'), null);
  });
});
