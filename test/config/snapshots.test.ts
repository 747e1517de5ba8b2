/**
 * Normalization snapshots: every test/config/cases/*.yaml and every examples/<name>/config.yaml →
 * test/config/__snapshots__/*.json (UPDATE_SNAPSHOTS=1 rewrites them; review the diff).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadText, matchSnapshot, REPO_ROOT, snapshotJson } from './helpers.js';

const CASES = join(REPO_ROOT, 'test', 'config', 'cases');
const SNAPSHOTS = join(REPO_ROOT, 'test', 'config', '__snapshots__');
const EXAMPLES = join(REPO_ROOT, 'examples');
/** Fixed values so snapshots do not depend on the machine. */
const ENV = { PORTCULLIS_ROOT: '/opt/portcullis' };

describe('normalization snapshots: test/config/cases', () => {
  for (const file of readdirSync(CASES).filter((f) => f.endsWith('.yaml'))) {
    test(file, () => {
      const text = readFileSync(join(CASES, file), 'utf8');
      const loaded = loadText(text, { name: `cases/${file}`, baseDir: CASES, env: ENV });
      matchSnapshot(join(SNAPSHOTS, file.replace(/\.yaml$/, '.json')), snapshotJson(loaded));
    });
  }
});

describe('normalization snapshots: examples', () => {
  const examples = readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory());
  test('there are examples', () => assert.ok(examples.length >= 5));
  for (const dir of examples) {
    test(`examples/${dir.name}/config.yaml`, () => {
      const folder = join(EXAMPLES, dir.name);
      const text = readFileSync(join(folder, 'config.yaml'), 'utf8');
      assert.match(
        text.split('\n')[0]!,
        /^# yaml-language-server: \$schema=\.\.\/\.\.\/schema\/config\.schema\.json$/,
        'examples start with the schema comment',
      );
      const loaded = loadText(text, { name: `examples/${dir.name}/config.yaml`, baseDir: folder, env: ENV });
      matchSnapshot(join(SNAPSHOTS, `example-${dir.name}.json`), snapshotJson(loaded));
    });
  }
});
