/** The one definition of "the same caller" (src/mcp/session/identity-binding.ts), as a pure function. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callerKey, identityKey } from '../../src/mcp/session/identity-binding.js';
import type { Identity } from '../../src/contracts/request-context.js';

function id(claims: Record<string, unknown>, issuer = 'https://a.test'): Identity {
  return {
    claims,
    celClaims: claims,
    sub: typeof claims.sub === 'string' ? claims.sub : undefined,
    issuer,
    rawToken: 'x',
  };
}

describe('identity keys', () => {
  it('issuer + string sub; another issuer is another identity', () => {
    assert.equal(identityKey(id({ sub: 'alice', role: 'a' })), identityKey(id({ sub: 'alice', role: 'b' })));
    assert.notEqual(identityKey(id({ sub: 'alice' })), identityKey(id({ sub: 'alice' }, 'https://b.test')));
  });

  it('without a string sub: a digest of the claims, independent of key order and of per-token claims', () => {
    const a = identityKey(id({ email: 'a@x', groups: ['g1', 'g2'], iat: 1, exp: 2, jti: 'j1' }));
    assert.equal(a, identityKey(id({ groups: ['g1', 'g2'], exp: 9, email: 'a@x', iat: 5, jti: 'j2' })));
    assert.notEqual(a, identityKey(id({ email: 'b@x', groups: ['g1', 'g2'] })));
    assert.notEqual(identityKey(id({ sub: 1 })), identityKey(id({ sub: 2 })));
    // A numeric sub never collides with the string form of the same value.
    assert.notEqual(identityKey(id({ sub: 1 })), identityKey(id({ sub: '1' })));
    assert.doesNotMatch(a, /a@x/); // claims are not spelled out in the key
  });

  it('anonymous callers are keyed by source address, never like an identity', () => {
    assert.equal(callerKey(null, '127.0.0.1'), callerKey(null, '127.0.0.1'));
    assert.notEqual(callerKey(null, '127.0.0.1'), callerKey(null, '127.0.0.2'));
    assert.notEqual(callerKey(id({ sub: 'addr:127.0.0.1' }), '127.0.0.1'), callerKey(null, '127.0.0.1'));
  });
});
