/**
 * The extAuthz decision cache (src/policies/ext-authz/cache.ts) with a controlled clock: key values,
 * expiry, the refresh window (one request asks again, the others keep the cached answer), the bound.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CelActivation } from '../../src/cel/index.js';
import { DecisionCache } from '../../src/policies/ext-authz/cache.js';

const a = (v: unknown) => ({ v }) as unknown as CelActivation;
const byV = (act: CelActivation) => (act as unknown as { v: unknown }).v;

describe('extAuthz decision cache', () => {
  test('key values: scalars and bytes make keys; other values, failures and no expressions do not', () => {
    const c = new DecisionCache<string>([byV], 1000, 10);
    assert.equal(typeof c.key(a('x')), 'string');
    assert.equal(typeof c.key(a(1n)), 'string');
    assert.equal(typeof c.key(a(null)), 'string');
    assert.equal(typeof c.key(a(new Uint8Array([1]))), 'string');
    assert.notEqual(c.key(a(1n)), c.key(a('1')));
    assert.equal(c.key(a(new Map())), undefined);
    assert.equal(c.key(a([1])), undefined);
    const failing = new DecisionCache<string>(
      [
        () => {
          throw new Error('no such key');
        },
      ],
      1000,
      10,
    );
    assert.equal(failing.key(a('x')), undefined);
    assert.equal(new DecisionCache<string>([], 1000, 10).key(a('x')), undefined);
  });

  test('a hit until the refresh window; then one request asks while the others get the entry; expiry', () => {
    let now = 0;
    const c = new DecisionCache<string>([byV], 1000, 10, () => now);
    assert.deepEqual(c.lookup('k'), { value: undefined, ask: true });
    c.store('k', 'allow');
    now = 800;
    assert.deepEqual(c.lookup('k'), { value: 'allow', ask: false });
    // The last tenth of the ttl (100 ms here): the first request refreshes, the next still hit.
    now = 950;
    assert.deepEqual(c.lookup('k'), { value: undefined, ask: true });
    assert.deepEqual(c.lookup('k'), { value: 'allow', ask: false });
    // The refresh failed: the next request tries again.
    c.release('k');
    assert.equal(c.lookup('k').ask, true);
    now = 1000;
    assert.deepEqual(c.lookup('k'), { value: undefined, ask: true });
    assert.equal(c.size, 0);
  });

  test('at most maxEntries keys, the least recently stored evicted first', () => {
    const c = new DecisionCache<string>([byV], 1000, 2, () => 0);
    c.store('a', '1');
    c.store('b', '2');
    c.store('a', '1b');
    c.store('c', '3');
    assert.equal(c.size, 2);
    assert.equal(c.lookup('b').value, undefined);
    assert.equal(c.lookup('a').value, '1b');
    assert.equal(c.lookup('c').value, '3');
  });
});
