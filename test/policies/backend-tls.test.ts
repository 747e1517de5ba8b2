/** backendTLS compiled at load: PEM checks, located errors, warnings, and a key that follows the settings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileBackendTls } from '../../src/policies/backend-tls/index.js';
import { buildContext } from '../authn/helpers.js';

const AT = ['binds', 0, 'listeners', 0, 'routes', 0, 'policies', 'backendTLS'] as const;
const TLS = 'test/fixtures/tls';

describe('compileBackendTls', () => {
  it('reads root, cert and key once into tls.connect options; the files are reload dependencies', () => {
    const ctx = buildContext();
    const p = compileBackendTls(
      { root: `${TLS}/a.crt`, cert: `${TLS}/client.crt`, key: `${TLS}/client.key`, hostname: 'localhost' },
      ctx,
      [...AT],
    );
    assert.match(p.connect.ca ?? '', /BEGIN CERTIFICATE/);
    assert.match(p.connect.cert ?? '', /BEGIN CERTIFICATE/);
    assert.match(p.connect.key ?? '', /PRIVATE KEY/);
    assert.equal(p.connect.servername, 'localhost');
    assert.equal(p.connect.rejectUnauthorized, undefined, 'verification stays on');
    assert.equal(ctx.files.length, 3);
    assert.deepEqual(ctx.warnings, []);
  });

  it('the key is equal for equal settings and differs when any setting or file differs', () => {
    const key = (cfg: Parameters<typeof compileBackendTls>[0]): string =>
      compileBackendTls(cfg, buildContext(), [...AT]).key;
    assert.equal(key({ root: `${TLS}/a.crt` }), key({ root: `${TLS}/a.crt` }));
    const keys = new Set([
      key({ root: `${TLS}/a.crt` }),
      key({ root: `${TLS}/b.crt` }),
      key({ root: `${TLS}/a.crt`, hostname: 'localhost' }),
      key({ root: `${TLS}/a.crt`, insecureHost: true }),
      key({ insecure: true }),
      key({}),
    ]);
    assert.equal(keys.size, 6);
  });

  it('insecure and insecureHost are warnings at load; insecureHost keeps chain verification', () => {
    const ctx = buildContext();
    const p = compileBackendTls({ insecure: true }, ctx, [...AT]);
    assert.equal(p.connect.rejectUnauthorized, false);
    assert.match(ctx.warnings[0] ?? '', /backendTLS\.insecure: upstream certificates are not verified/);
    const ctx2 = buildContext();
    const q = compileBackendTls({ insecureHost: true }, ctx2, [...AT]);
    assert.equal(q.connect.rejectUnauthorized, undefined);
    assert.equal(typeof q.connect.checkServerIdentity, 'function');
    assert.match(ctx2.warnings[0] ?? '', /insecureHost: upstream certificate hostnames are not verified/);
  });

  it('alpn other than http/1.1 is accepted with a warning that it is not applied', () => {
    const ctx = buildContext();
    compileBackendTls({ alpn: ['h2', 'http/1.1'] }, ctx, [...AT]);
    assert.match(ctx.warnings[0] ?? '', /backendTLS\.alpn: not applied/);
    const quiet = buildContext();
    compileBackendTls({ alpn: ['http/1.1'] }, quiet, [...AT]);
    assert.deepEqual(quiet.warnings, []);
  });

  it('located errors: cert without key, a key that is no key, a key that does not match the cert', () => {
    assert.throws(
      () => compileBackendTls({ cert: `${TLS}/client.crt` }, buildContext(), [...AT]),
      /backendTLS\.key: a client certificate needs both cert and key \(key is missing\)/,
    );
    assert.throws(
      () => compileBackendTls({ cert: `${TLS}/client.crt`, key: `${TLS}/a.crt` }, buildContext(), [...AT]),
      /backendTLS\.key: test\/fixtures\/tls\/a\.crt: no PEM private key/,
    );
    assert.throws(
      () => compileBackendTls({ cert: `${TLS}/client.crt`, key: `${TLS}/a.key` }, buildContext(), [...AT]),
      /backendTLS\.key: .*does not match the certificate/,
    );
    assert.throws(
      () => compileBackendTls({ root: `${TLS}/nope.crt` }, buildContext(), [...AT]),
      /backendTLS\.root: cannot read/,
    );
  });
});
