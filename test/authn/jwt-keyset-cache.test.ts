/**
 * One import per JWKS text (src/policies/jwt/keys.ts): the same text gives the same immutable KeySet,
 * across policies and across config builds; another text is imported afresh; a text that fails is not
 * remembered; and tokens verify through a shared set exactly as through a fresh one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importKeySetText, KeySetError } from '../../src/policies/jwt/keys.js';
import { compileJwtAuth } from '../../src/policies/jwt/index.js';
import { AT, AUDIENCE, bearer, buildContext, ISSUER, jwksText, makeKey, signToken } from './helpers.js';

describe('JWKS imported once per text', () => {
  it('the same text gives the same key set; another text another one', async () => {
    const a = await makeKey('ES256', 'a');
    const b = await makeKey('ES256', 'b');
    const text = jwksText(a);
    const first = await importKeySetText(text);
    assert.equal(await importKeySetText(text), first);
    assert.equal(await importKeySetText(`${text}\n`), await importKeySetText(`${text}\n`));
    assert.notEqual(await importKeySetText(`${text}\n`), first, 'other bytes, other import');
    const other = await importKeySetText(jwksText(b));
    assert.notEqual(other, first);
    assert.deepEqual([...other.byKid.keys()], ['b']);
  });

  it('a failing text fails every time, with its own error', async () => {
    const bad = JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] });
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        importKeySetText(bad),
        (e: unknown) => e instanceof KeySetError && /oct/.test(e.message),
      );
    }
  });

  it('a hundred policies on one inline JWKS verify with the one import', async () => {
    const key = await makeKey('ES256', 'k1');
    const jwks = jwksText(key);
    const auths = await Promise.all(
      Array.from({ length: 100 }, () =>
        compileJwtAuth({ issuer: ISSUER, audiences: [AUDIENCE], jwks }, buildContext(), AT),
      ),
    );
    const token = await signToken(key);
    for (const auth of [auths[0], auths[99]]) {
      const id = await auth!.authenticate(bearer(token));
      assert.equal(id?.sub, 'alice');
    }
    const stranger = await makeKey('ES256', 'k1');
    await assert.rejects(auths[50]!.authenticate(bearer(await signToken(stranger))));
  });
});
