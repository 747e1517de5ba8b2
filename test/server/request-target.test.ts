/** The exact request-target / Host parser of the request entry (src/server/request-target.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidHost, parseRequestTarget, removeDotSegments } from '../../src/server/request-target.js';

describe('request-target and Host parsing', () => {
  test('origin-form: path and query split, fragment dropped', () => {
    assert.deepEqual(parseRequestTarget('/mcp?x=1#f', 'GET'), {
      path: '/mcp',
      search: '?x=1',
      authority: undefined,
    });
    assert.deepEqual(parseRequestTarget('/mcp?', 'GET'), { path: '/mcp', search: '', authority: undefined });
  });
  test('absolute-form: authority kept, path defaults to /', () => {
    assert.deepEqual(parseRequestTarget('HTTP://Example.com:8080', 'GET'), {
      path: '/',
      search: '',
      authority: 'Example.com:8080',
    });
    assert.deepEqual(parseRequestTarget('https://h/a?b', 'GET'), {
      path: '/a',
      search: '?b',
      authority: 'h',
    });
  });
  test('malformed targets are undefined, never an exception', () => {
    for (const t of [
      '',
      'mcp',
      'http://',
      'http://u@h/',
      'http://h:70000/',
      'ws://h/',
      '/a b',
      '/\u00e9',
      '/a\\b',
      '*',
    ])
      assert.equal(parseRequestTarget(t, 'GET'), undefined, JSON.stringify(t));
    assert.deepEqual(parseRequestTarget('*', 'OPTIONS'), { path: '*', search: '', authority: undefined });
  });
  test('dot segments, plain and percent-encoded, as a WHATWG URL removes them', () => {
    for (const p of ['/a/../b', '/a/./b/', '/../../x', '/a/%2E%2e/b', '/a/.%2e', '/a/b/..']) {
      assert.equal(removeDotSegments(p), new URL(`http://h${p}`).pathname, p);
    }
  });
  test('Host values', () => {
    for (const h of [
      '',
      'localhost',
      'localhost:0',
      'a.b-c_d:65535',
      '[::1]',
      '[::ffff:127.0.0.1]:80',
      '10.0.0.1',
      'h:',
    ])
      assert.equal(isValidHost(h), true, h);
    for (const h of ['a b', 'localhost:99999', 'h:x', '[::1', '[::1]x', '[zz]', 'u@h', 'h/p', 'h%41', 'é'])
      assert.equal(isValidHost(h), false, h);
  });
});
