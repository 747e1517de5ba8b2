import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REDACTED, redactSecrets } from '../../src/admin/redact.js';

test('private JWK members are dropped, public ones kept (objects and inline JSON)', () => {
  const jwk = {
    kty: 'RSA',
    kid: 'k1',
    n: 'N',
    e: 'AQAB',
    d: 'D',
    p: 'P',
    q: 'Q',
    dp: 'DP',
    dq: 'DQ',
    qi: 'QI',
  };
  const out = redactSecrets({
    jwks: { keys: [jwk, { kty: 'oct', k: 'SYMMETRIC' }] },
    inline: JSON.stringify({ keys: [jwk] }),
  });
  assert.deepEqual(out.jwks.keys[0], { kty: 'RSA', kid: 'k1', n: 'N', e: 'AQAB' });
  assert.deepEqual(out.jwks.keys[1], { kty: 'oct' });
  assert.deepEqual(JSON.parse(out.inline), { keys: [{ kty: 'RSA', kid: 'k1', n: 'N', e: 'AQAB' }] });
});

test('backendAuth keys, header-modifier values, tokens and stdio env values are redacted', () => {
  const input = {
    backendAuth: { key: 'sk-123' },
    fileKey: { backendAuth: { key: { file: './key.txt' } } },
    requestHeaderModifier: {
      add: { 'X-API-Key': 'k', Cookie: 'c', 'x-request-id': 'keep' },
      set: { authorization: 'Bearer t' },
    },
    tracing: { headers: { Authorization: 'Basic xyz' } },
    identity: { rawToken: 'eyJ.a.b', claims: { sub: 'u' } },
    oauth: { client_secret: 'cs', token: 't', password: 'p', enabled: true },
    stdio: {
      cmd: 'gh-mcp',
      env: { GITHUB_TOKEN: 'ghp', OPENAI_API_KEY: 'sk', DB_PASSWORD: 'pw', LOG_LEVEL: 'debug' },
    },
    url: 'https://user:hunter2@example.com/mcp',
    pem: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----',
    rules: [{ key: 'jwt.sub' }],
  };
  const out = redactSecrets(input);
  assert.equal(out.backendAuth.key, REDACTED);
  assert.deepEqual(
    out.fileKey.backendAuth.key,
    { file: './key.txt' },
    'a file reference is a path, not a secret',
  );
  assert.deepEqual(out.requestHeaderModifier, {
    add: { 'X-API-Key': REDACTED, Cookie: REDACTED, 'x-request-id': REDACTED },
    set: { authorization: REDACTED },
  });
  assert.equal(out.tracing.headers.Authorization, REDACTED);
  assert.deepEqual(out.identity, { rawToken: REDACTED, claims: { sub: 'u' } });
  assert.deepEqual(out.oauth, {
    client_secret: REDACTED,
    token: REDACTED,
    password: REDACTED,
    enabled: true,
  });
  assert.deepEqual(out.stdio.env, {
    GITHUB_TOKEN: REDACTED,
    OPENAI_API_KEY: REDACTED,
    DB_PASSWORD: REDACTED,
    LOG_LEVEL: REDACTED,
  });
  assert.equal(out.url, `https://${REDACTED}@example.com/mcp`);
  assert.equal(out.pem, REDACTED);
  assert.deepEqual(out.rules, [{ key: 'jwt.sub' }], 'a rate-limit key is a CEL expression, not a secret');
  const text = JSON.stringify(out);
  for (const s of ['sk-123', 'Bearer t', 'Basic xyz', 'eyJ.a.b', 'ghp', 'hunter2', 'MIIB'])
    assert.ok(!text.includes(s), s);
});

test('the input is not modified', () => {
  const input = { backendAuth: { key: 'sk' }, keys: [{ kty: 'RSA', d: 'D' }] };
  const copy = structuredClone(input);
  redactSecrets(input);
  assert.deepEqual(input, copy);
});

test('redaction is by structure: any name in env, args, header values, URL userinfo and query', () => {
  const out = redactSecrets({
    normalizedTarget: { kind: 'stdio', cmd: 'db-mcp', args: ['--dsn', 'S-ARG'], env: { DB_PASS: 'S-ENV' } },
    hostTarget: { mcp: { host: 'api.example', port: 443, path: '/mcp?key=S-PATHQ' } },
    url: 'https://api.example/mcp?x-goog-api-key=S-QUERY#frag',
    userOnly: 'https://S-USER@api.example/',
    otlp: { otlpEndpoint: 'http://collector:4318?k=S-OTLP', headers: { 'x-honeycomb-team': 'S-TRACE' } },
    backendAuth: { key: 'S-KEY' },
    responseHeaderModifier: { set: { 'x-odd-name': 'S-RESP' }, remove: ['server'] },
    cmdKept: { cmd: 'db-mcp' },
    plain: 'see https://docs.example/page',
  });
  const text = JSON.stringify(out);
  for (const s of ['S-ARG', 'S-ENV', 'S-PATHQ', 'S-QUERY', 'S-USER', 'S-OTLP', 'S-TRACE', 'S-KEY', 'S-RESP'])
    assert.ok(!text.includes(s), `${s} leaked: ${text}`);
  assert.equal(out.url, `https://api.example/mcp?${REDACTED}#frag`);
  assert.equal(out.hostTarget.mcp.path, `/mcp?${REDACTED}`);
  assert.deepEqual(out.responseHeaderModifier, { set: { 'x-odd-name': REDACTED }, remove: ['server'] });
  assert.equal(out.normalizedTarget.cmd, 'db-mcp');
  assert.equal(out.plain, 'see https://docs.example/page', 'text that merely contains a URL is kept');
});

test('restoreRedacted: shown values come back from the file; any other use of the marker is refused', async () => {
  const { restoreRedacted } = await import('../../src/admin/redact-restore.js');
  const file = {
    policies: { backendAuth: { key: 'S-KEY' }, requestHeaderModifier: { set: { a: 'S-A', b: 'S-B' } } },
    stdio: { cmd: 'x', args: ['--token', 'S-ARG'] },
    url: 'https://u:p@h/x?k=S-Q',
  };
  const shown = redactSecrets(file);
  assert.deepEqual(restoreRedacted(shown, file), file, 'an unchanged document restores exactly');
  const edited = structuredClone(shown);
  edited.policies.requestHeaderModifier.set.b = 'new-value';
  edited.stdio.args[0] = '--key';
  const back = restoreRedacted(edited, file) as typeof file;
  assert.deepEqual(back.policies.requestHeaderModifier.set, { a: 'S-A', b: 'new-value' });
  assert.deepEqual(back.stdio.args, ['--key', 'S-ARG']);
  assert.equal(back.url, file.url);
  const moved = structuredClone(shown) as Record<string, unknown>;
  moved['elsewhere'] = REDACTED;
  assert.throws(() => restoreRedacted(moved, file), /elsewhere: \[redacted\] can only stand/);
  const shorter = structuredClone(shown);
  shorter.stdio.args.shift();
  assert.throws(() => restoreRedacted(shorter, file), /stdio\.args\.0: \[redacted\] can only stand/);
  // Named elements are matched by name: removing the first target never hands its secrets to the next.
  const targets = {
    targets: [
      { name: 'a', cmd: 'x', env: { K: 'S-A' } },
      { name: 'b', cmd: 'x', env: { K: 'S-B' } },
    ],
  };
  const withoutA = structuredClone(redactSecrets(targets));
  withoutA.targets.shift();
  assert.deepEqual(restoreRedacted(withoutA, targets), {
    targets: [{ name: 'b', cmd: 'x', env: { K: 'S-B' } }],
  });
});
