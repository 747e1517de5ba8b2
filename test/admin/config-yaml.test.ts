/**
 * The config file as YAML for the editor: secrets redacted in place (comments and every other byte
 * kept), and restored on save only where the user left the placeholder; line numbers never shift.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { redactYamlText, restoreYamlSecrets } from '../../src/admin/config-yaml.js';

const FILE = `# my gateway
binds:
- port: 3000 # the port
  listeners:
  - routes:
    - policies:
        jwtAuth:
          issuer: me
          jwks: '{"keys":[{"kty":"RSA","n":"public-n","e":"AQAB","d":"PRIVATE-D"}]}'
        backendAuth:
          key: sk-live-BACKEND-KEY
        requestHeaderModifier:
          set:
            Authorization: "Bearer UPSTREAM-TOKEN"
            x-trace: keep-me
      backends:
      - mcp:
          targets:
          - name: gh
            stdio:
              cmd: gh-mcp
              env:
                GITHUB_TOKEN: ghp_SECRET
                LOG_LEVEL: debug
          - name: remote
            mcp:
              host: https://bot:hunter2@mcp.example/mcp
    - backends:
      - host: 127.0.0.1:9
        policies:
          backendTLS:
            key: |
              -----BEGIN PRIVATE KEY-----
              MIIEvQ
              -----END PRIVATE KEY-----
            cert: cert.pem
`;
const SECRETS = ['PRIVATE-D', 'sk-live-BACKEND-KEY', 'UPSTREAM-TOKEN', 'ghp_SECRET', 'hunter2', 'MIIEvQ'];

test('redactYamlText hides every secret and keeps everything else byte for byte', () => {
  const shown = redactYamlText(FILE);
  for (const s of SECRETS) assert.ok(!shown.includes(s), `${s} is hidden`);
  assert.match(shown, /^# my gateway\n/);
  assert.match(shown, /- port: 3000 # the port\n/);
  // Redacted by structure: every header-modifier value and every stdio env value, whatever its name.
  assert.match(shown, /x-trace: "\[redacted\]"\n/);
  assert.match(shown, /LOG_LEVEL: "\[redacted\]"\n/);
  assert.match(shown, /issuer: me\n/);
  assert.match(shown, /host: "https:\/\/\[redacted\]@mcp\.example\/mcp"/);
  assert.match(shown, /key: "\[redacted\]"\n {12}cert: cert\.pem/, 'the block scalar became one line');
  const parsed = parse(shown) as {
    binds: { listeners: { routes: { policies: { jwtAuth: { jwks: string } } }[] }[] }[];
  };
  const jwks = JSON.parse(parsed.binds[0]!.listeners[0]!.routes[0]!.policies.jwtAuth.jwks) as {
    keys: Record<string, string>[];
  };
  assert.equal(jwks.keys[0]!['n'], 'public-n', 'the public part of the JWK stays');
  // Lines other than the redacted block keep their numbers up to it.
  const a = FILE.split('\n');
  const b = shown.split('\n');
  const block = a.findIndex((l) => l.includes('key: |'));
  assert.ok(block > 30);
  for (let i = 0; i < block; i++)
    if (!/jwks|key:|Authorization|x-trace|GITHUB_TOKEN|LOG_LEVEL|host:/.test(a[i]!)) assert.equal(b[i], a[i]);
});

test('restoreYamlSecrets puts each untouched secret back and keeps what the user changed', () => {
  const shown = redactYamlText(FILE);
  const edited = shown
    .replace('issuer: me', 'issuer: you')
    .replace('key: "[redacted]"\n            cert', 'key: "[redacted]"\n            cert'); // untouched
  const restored = restoreYamlSecrets(edited, FILE);
  assert.equal(restored.split('\n').length, edited.split('\n').length, 'no line moves');
  assert.deepEqual(
    withoutIssuer(parse(restored)),
    withoutIssuer(parse(FILE)),
    'the same config as the file, secrets included',
  );
  assert.match(restored, /issuer: you/);
  assert.match(restored, /LOG_LEVEL: "debug"/);
  assert.match(restored, /^# my gateway\n/);
});

test('a secret the user replaced is kept as typed; a placeholder at a new path stays a placeholder', () => {
  const shown = redactYamlText(FILE);
  const edited = shown
    .replace('GITHUB_TOKEN: "[redacted]"', 'GITHUB_TOKEN: ghp_NEW')
    .replace('LOG_LEVEL: "[redacted]"', 'LOG_LEVEL: "[redacted]"\n                OTHER_TOKEN: "[redacted]"');
  const restored = restoreYamlSecrets(edited, FILE);
  assert.match(restored, /GITHUB_TOKEN: ghp_NEW/);
  assert.ok(!restored.includes('ghp_SECRET'));
  assert.match(restored, /OTHER_TOKEN: "\[redacted\]"/);
  assert.ok(restored.includes('sk-live-BACKEND-KEY'));
});

test('text that does not parse: shown never (throws), restored as typed (the loader reports it)', () => {
  assert.throws(() => redactYamlText('a: [1, 2\nkey: "x'));
  assert.equal(restoreYamlSecrets('a: [1, 2\n', FILE), 'a: [1, 2\n');
});

function withoutIssuer(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v).replace(/"issuer":"(me|you)"/, '"issuer":"x"')) as unknown;
}
