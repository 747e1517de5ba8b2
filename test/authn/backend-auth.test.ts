/** backendAuth: passthrough re-adds the caller's verified token; key / key-file send a fixed bearer. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileBackendAuth } from '../../src/policies/backend-auth/index.js';
import type { Identity } from '../../src/contracts/request-context.js';
import { buildContext } from './helpers.js';

const AT = ['binds', 0, 'listeners', 0, 'routes', 0, 'policies', 'backendAuth'] as const;
const identity: Identity = {
  claims: { sub: 'a' },
  celClaims: { sub: 'a' },
  sub: 'a',
  issuer: 'i',
  rawToken: 'aaa.bbb.ccc',
};

describe('backendAuth', () => {
  it('passthrough: the verified token when there is an identity, nothing otherwise', () => {
    const p = compileBackendAuth({ passthrough: {} }, buildContext(), AT);
    assert.deepEqual(p.headersFor(identity), { authorization: 'Bearer aaa.bbb.ccc' });
    assert.deepEqual(p.headersFor(null), {});
  });

  it('key: a fixed bearer, with or without identity', () => {
    const p = compileBackendAuth({ key: 'sk-123' }, buildContext(), AT);
    assert.deepEqual(p.headersFor(null), { authorization: 'Bearer sk-123' });
    assert.deepEqual(p.headersFor(identity), { authorization: 'Bearer sk-123' });
    // Callers may mutate what they get back without changing the next call's headers.
    p.headersFor(null).authorization = 'changed';
    assert.deepEqual(p.headersFor(null), { authorization: 'Bearer sk-123' });
  });

  it('key: {file} is read at load and trimmed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-backend-auth-'));
    writeFileSync(join(dir, 'token'), '  secret-from-file\n');
    const ctx = buildContext(dir);
    const p = compileBackendAuth({ key: { file: 'token' } }, ctx, AT);
    assert.deepEqual(p.headersFor(null), { authorization: 'Bearer secret-from-file' });
    assert.equal(ctx.files.length, 1, 'the file is a reload dependency');
  });

  it('an empty key file, a missing file and a key with a newline are located errors (that never echo the key)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-backend-auth-'));
    writeFileSync(join(dir, 'empty'), '\n\n');
    assert.throws(
      () => compileBackendAuth({ key: { file: 'empty' } }, buildContext(dir), AT),
      /backendAuth\.key\.file: backendAuth key is empty/,
    );
    assert.throws(
      () => compileBackendAuth({ key: { file: 'nope' } }, buildContext(dir), AT),
      /key\.file: cannot read nope/,
    );
    assert.throws(
      () => compileBackendAuth({ key: 'abc\r\nx-evil: 1' }, buildContext(dir), AT),
      (e: Error) =>
        /backendAuth\.key: .*cannot go in an HTTP header/.test(e.message) && !e.message.includes('abc'),
    );
  });
});
