/** Sealed session ids: round trip, rotation, tampering, foreign keys and hostile input. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  SessionKeyring,
  MAX_SESSION_ID_CHARS,
  type SessionState,
} from '../../src/mcp/session/session-token.js';

const state = (over: Partial<SessionState> = {}): SessionState => ({
  b: 'iss=https://issuer.test|sub=alice',
  k: 'route/backend#1',
  p: '2025-06-18',
  t: [['everything', 'up-session-1', 'http://10.0.0.7:3001/mcp']],
  i: 1_764_000_000,
  n: randomBytes(8).toString('base64url'),
  ...over,
});
const hex = () => randomBytes(32).toString('hex');

describe('session ids sealed with AES-256-GCM', () => {
  test('round trip: a replica with the same key opens what another sealed', () => {
    const key = hex();
    const a = SessionKeyring.fromSource({ keys: key })!;
    const b = SessionKeyring.fromSource({ keys: key })!;
    const s = state();
    const id = a.seal(s);
    assert.match(id, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(b.open(id), s);
    assert.ok(!id.includes('alice') && !id.includes('up-session-1'), 'the state is not readable');
  });

  test('two seals of the same state differ (random IV)', () => {
    const k = SessionKeyring.fromSource({ keys: hex() })!;
    const s = state();
    assert.notEqual(k.seal(s), k.seal(s));
  });

  test('rotation: the first key seals, every listed key opens', () => {
    const [oldKey, newKey] = [hex(), hex()];
    const before = SessionKeyring.fromSource({ keys: oldKey })!;
    const rotated = SessionKeyring.fromSource({ keys: `${newKey},${oldKey}` })!;
    const after = SessionKeyring.fromSource({ keys: newKey })!;
    const oldId = before.seal(state());
    assert.ok(rotated.open(oldId), 'an id sealed with the old key still opens during rotation');
    const newId = rotated.seal(state());
    assert.ok(after.open(newId), 'new ids are sealed with the first key');
    assert.equal(after.open(oldId), undefined, 'once the old key is dropped its ids are refused');
  });

  test('keys from a file (hex and base64, comments and blank lines ignored)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-key-'));
    const file = join(dir, 'keys');
    const b64 = randomBytes(32).toString('base64');
    writeFileSync(file, `# current\n${b64}\n\n${hex()}\n`);
    const ring = SessionKeyring.fromSource({ keyFile: file })!;
    assert.equal(ring.ephemeral, false);
    const other = SessionKeyring.fromSource({ keys: b64 })!;
    assert.ok(other.open(ring.seal(state())));
  });

  test('bad keys are refused with a message that does not echo them', () => {
    for (const bad of ['short', 'ab'.repeat(31), randomBytes(16).toString('base64')]) {
      assert.throws(
        () => SessionKeyring.fromSource({ keys: bad }),
        (e: Error) => /32 bytes/.test(e.message) && !e.message.includes(bad),
      );
    }
    assert.throws(() => SessionKeyring.fromSource({ keyFile: '/nonexistent/key' }), /ENOENT/);
    assert.equal(SessionKeyring.fromSource({}), undefined);
    assert.equal(SessionKeyring.ephemeral().ephemeral, true);
  });

  test('tampered, truncated, foreign and hostile ids open to undefined, never throw', () => {
    const ring = SessionKeyring.fromSource({ keys: hex() })!;
    const id = ring.seal(state());
    const buf = Buffer.from(id, 'base64url');
    for (let i = 0; i < buf.length; i += 7) {
      const t = Buffer.from(buf);
      t[i] = t[i]! ^ 0x01;
      assert.equal(ring.open(t.toString('base64url')), undefined, `bit flip at byte ${i}`);
    }
    assert.equal(ring.open(id.slice(0, -4)), undefined);
    assert.equal(SessionKeyring.fromSource({ keys: hex() })!.open(id), undefined, 'another key');
    const hostile = [
      '',
      'x',
      'not base64 !!',
      '00000000-0000-4000-8000-000000000000',
      'A'.repeat(MAX_SESSION_ID_CHARS + 1),
      Buffer.concat([Buffer.from([1]), Buffer.alloc(60)]).toString('base64url'),
      Buffer.concat([Buffer.from([2]), randomBytes(80)]).toString('base64url'),
    ];
    for (const h of hostile) assert.equal(ring.open(h), undefined, JSON.stringify(h.slice(0, 40)));
  });

  test('a sealed payload that is not a session state is refused', () => {
    const ring = SessionKeyring.fromSource({ keys: hex() })!;
    const forged = ring.seal({ ...state(), t: [['only-two', 'fields']] } as unknown as SessionState);
    assert.equal(ring.open(forged), undefined);
  });
});
