/**
 * Errors found while compiling policies (after the schema passed) are located like schema errors:
 * `<file>:<line>:<col>: <field path>: <message>`, every one of them reported.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { BuildError, buildSnapshot } from '../../src/runtime/build.js';
import { loadText } from './helpers.js';

const P = 'binds[0].listeners[0].routes[0].policies';
const yaml = (backendTls: string): string => `binds:
- port: 3000
  listeners:
  - routes:
    - policies:
        backendTLS:
${backendTls}
      backends:
      - mcp:
          targets:
          - name: a
            mcp: {host: "https://localhost:3001/mcp"}
`;

async function buildErrors(text: string): Promise<ConfigError[]> {
  const loaded = loadText(text, { name: 'bad.yaml' });
  try {
    const snap = await buildSnapshot(loaded, 1);
    snap.close();
  } catch (e) {
    assert.ok(e instanceof BuildError, String(e));
    return e.errors.map((x) => {
      assert.ok(x instanceof ConfigError, String(x));
      return x;
    });
  }
  assert.fail('expected the build to fail');
}

describe('policy build errors are located', () => {
  test('backendTLS: a missing root file names file, line, column and field path', async () => {
    const [err, ...rest] = await buildErrors(yaml('          root: nope/ca.pem'));
    assert.equal(rest.length, 0);
    const issue = err!.issues[0]!;
    assert.deepEqual(
      { file: issue.file, line: issue.line, column: issue.column, path: issue.path },
      { file: 'bad.yaml', line: 7, column: 17, path: `${P}.backendTLS.root` },
    );
    assert.match(issue.message, /^file not found: nope\/ca\.pem \(tried \S+\/nope\/ca\.pem/);
    assert.match(
      err!.message,
      /^bad\.yaml:7:17: binds\[0\]\.listeners\[0\]\.routes\[0\]\.policies\.backendTLS\.root: file not found/,
    );
  });

  test('backendTLS: a root that is not a certificate, and a key without its cert', async () => {
    const [notPem] = await buildErrors(yaml('          root: test/fixtures/tls/a.key'));
    const i = notPem!.issues[0]!;
    assert.deepEqual([i.path, i.line, i.column], [`${P}.backendTLS.root`, 7, 17]);
    assert.match(i.message, /^test\/fixtures\/tls\/a\.key: no PEM certificate/);
    const [lonely] = await buildErrors(yaml('          key: test/fixtures/tls/client.key'));
    const k = lonely!.issues[0]!;
    assert.equal(k.path, `${P}.backendTLS.cert`);
    assert.match(k.message, /a client certificate needs both cert and key \(cert is missing\)/);
  });

  test('csrf: an additionalOrigins entry that is not a bare origin is located at its list index', async () => {
    const text = yaml('          root: test/fixtures/tls/a.crt').replace(
      '        backendTLS:',
      '        csrf: {additionalOrigins: ["https://ok.example", "https://a.example/path"]}\n        backendTLS:',
    );
    const [err] = await buildErrors(text);
    const i = err!.issues[0]!;
    assert.deepEqual([i.path, i.line], [`${P}.csrf.additionalOrigins[1]`, 6]);
    assert.match(i.message, /^not an origin \(scheme:\/\/host\[:port\]\): "https:\/\/a\.example\/path"$/);
  });
});
