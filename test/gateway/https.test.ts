/**
 * HTTPS listeners: TLS from cert/key files, MCP over TLS with the official client, and a certificate
 * rotated on disk is picked up by the reload watcher without dropping the port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Agent, request } from 'undici';
import { eventually, startGateway } from '../helpers/gateway.js';

const TLS = resolve('test/fixtures/tls');

function peerCn(port: number): Promise<string> {
  return new Promise((ok, fail) => {
    const s = tlsConnect(
      { port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false },
      () => {
        const cn = s.getPeerCertificate().subject.CN;
        s.end();
        ok(String(cn));
      },
    );
    s.on('error', fail);
  });
}

test('HTTPS listener serves MCP and picks up a rotated certificate', async (t) => {
  const gw = await startGateway(
    `binds:
- port: 0
  listeners:
  - protocol: HTTPS
    tls: {cert: cert.pem, key: key.pem}
    routes:
    - policies:
        directResponse: {status: 200, body: "over tls"}
`,
    {
      watch: true,
      name: 'https',
      files: {
        'cert.pem': readFileSync(join(TLS, 'a.crt'), 'utf8'),
        'key.pem': readFileSync(join(TLS, 'a.key'), 'utf8'),
      },
    },
  );
  t.after(() => gw.stop());
  const port = gw.port;
  assert.match(gw.portcullis.gateway.addresses()[0]!.url, /^https:/);

  const agent = new Agent({ connect: { ca: readFileSync(join(TLS, 'a.crt')), servername: 'localhost' } });
  t.after(() => agent.close());
  const r = await request(`https://127.0.0.1:${port}/`, { dispatcher: agent });
  assert.equal(r.statusCode, 200);
  assert.equal(await r.body.text(), 'over tls');
  assert.equal(await peerCn(port), 'localhost-a');

  // Plain HTTP to the TLS port is refused, not served.
  await assert.rejects(fetch(`http://127.0.0.1:${port}/`).then((x) => x.text()));

  // Rotate: write certificate b over the files the config names; the watcher reloads them.
  copyFileSync(join(TLS, 'b.key'), join(gw.dir, 'key.pem'));
  copyFileSync(join(TLS, 'b.crt'), join(gw.dir, 'cert.pem'));
  await eventually(async () => (await peerCn(port)) === 'localhost-b', 4000);
  assert.equal(gw.portcullis.gateway.addresses()[0]!.port, port, 'same port, no restart');
});
