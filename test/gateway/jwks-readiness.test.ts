/**
 * A remote JWKS that is down, as readiness, metrics and `--validate-only` show it: the gateway is ready
 * with a `degraded: jwks …` line (or not ready with `config.readiness.requireJwks: true`),
 * `portcullis_jwks_available{url}` is 0 until the first fetch succeeds and 1 after, `explain` lists it, and
 * `--validate-only` (the real binary; run `node scripts/build-cli.mjs` after changing src/) reports it as
 * a warning and exits 0.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AUDIENCE, ISSUER, jwksText, makeKey, startServer, type TestKey } from '../authn/helpers.js';
import { freePort } from '../fixtures/spawn.js';
import { eventually, startGateway, type TestGateway } from '../helpers/gateway.js';

function config(port: number, readiness = ''): string {
  return `${readiness}gateways:
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
`;
}

async function metric(gw: TestGateway, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${gw.statsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('a remote JWKS down: readiness and metrics', () => {
  let key: TestKey;
  let port: number;
  let gw: TestGateway;
  let strict: TestGateway;
  let jwks: Awaited<ReturnType<typeof startServer>> | undefined;

  before(async () => {
    key = await makeKey('ES256', 'k1');
    port = await freePort();
    gw = await startGateway(config(port), { name: 'jwks-readiness' });
    strict = await startGateway(config(port, 'config:\n  readiness: {requireJwks: true}\n'), {
      name: 'jwks-readiness-strict',
    });
  });
  after(async () => {
    await gw?.stop();
    await strict?.stop();
    await jwks?.close();
  });

  test('degraded (or not ready when required) and gauge 0 until the JWKS answers, then ready and 1', async () => {
    const url = `http://127.0.0.1:${port}/jwks.json`;
    const ready = await fetch(`${gw.readinessUrl}/healthz/ready`);
    assert.equal(ready.status, 200);
    assert.match(
      await ready.text(),
      new RegExp(`^ready\\ndegraded: jwks ${url}: JWKS not available yet \\(.+\\)\\n$`),
    );
    const api = (await (await fetch(`${gw.adminUrl}/api/ready`)).json()) as { degraded?: string[] };
    assert.equal(api.degraded?.length, 1);
    assert.equal(await metric(gw, `portcullis_jwks_available{url="${url}"}`), 0);
    const explained = (await (await fetch(`${gw.adminUrl}/api/explain`)).json()) as {
      jwks?: { url: string; error: string }[];
    };
    assert.equal(explained.jwks?.[0]?.url, url);
    assert.match(explained.jwks?.[0]?.error ?? '', /JWKS not available yet/);

    const held = await fetch(`${strict.readinessUrl}/healthz/ready`);
    assert.equal(held.status, 503);
    assert.match(
      await held.text(),
      /^not ready, pending: jwks http:\/\/127\.0\.0\.1:\d+\/jwks\.json: JWKS not available yet/,
    );

    jwks = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwksText(key));
    }, port);
    await eventually(
      async () => (await metric(gw, `portcullis_jwks_available{url="${url}"}`)) === 1,
      20_000,
      100,
    );
    const now = await fetch(`${gw.readinessUrl}/healthz/ready`);
    assert.equal(await now.text(), 'ready\n');
    await eventually(
      async () => (await fetch(`${strict.readinessUrl}/healthz/ready`)).status === 200,
      20_000,
      100,
    );
  });
});

test('--validate-only reports a JWKS it cannot fetch as a warning and exits 0', async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-jwks-validate-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, config(port));
  const r = spawnSync(process.execPath, [resolve('bin/portcullis.js'), '--validate-only', '-f', file], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, PORTCULLIS_ROOT: process.cwd() },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /warning.*cannot fetch JWKS from http:\/\/127\.0\.0\.1:\d+\/jwks\.json/i);
});
