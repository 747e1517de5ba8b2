/** Static per-target shaping: `tools: {include, exclude}` globs, applied before any CEL rule. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileToolFilter } from '../../src/policies/authorization/tool-filter.js';

const NAMES = [
  'echo',
  'get-sum',
  'get-env',
  'get_tiny_image',
  'read_file',
  'read_dir',
  'write_file',
  'rm',
  'a.b',
  'x*y',
];

const CASES: [string, Parameters<typeof compileToolFilter>[0], string[]][] = [
  ['no config: everything', undefined, NAMES],
  ['empty config: everything', {}, NAMES],
  ['exact include', { include: ['echo', 'rm'] }, ['echo', 'rm']],
  ['prefix glob', { include: ['get-*'] }, ['get-sum', 'get-env']],
  ['suffix glob', { include: ['*_file'] }, ['read_file', 'write_file']],
  ['? matches one character', { include: ['r?'] }, ['rm']],
  ['exclude only', { exclude: ['write_*', 'rm'] }, NAMES.filter((n) => n !== 'write_file' && n !== 'rm')],
  [
    'exclude wins over include',
    { include: ['read_*', 'write_*'], exclude: ['*_dir'] },
    ['read_file', 'write_file'],
  ],
  ['regex characters are literal', { include: ['a.b', 'x*y'] }, ['a.b', 'x*y']],
  ['a dot does not match any character', { include: ['a?b', 'axb'] }, ['a.b']],
  ['* alone', { include: ['*'] }, NAMES],
  ['case-sensitive', { include: ['ECHO'] }, []],
  ['empty include hides everything', { include: [] }, []],
];

describe('compileToolFilter', () => {
  for (const [name, cfg, want] of CASES) {
    test(name, () => {
      const keep = compileToolFilter(cfg);
      assert.deepEqual(NAMES.filter(keep), want);
    });
  }
  test('returns a named function', () => {
    assert.equal(compileToolFilter({ include: ['x'] }).name, 'toolFilter');
  });
});
