/** readConfigInput: -f FILE, -f - (stdin), -c STRING. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { readConfigInput } from '../../src/config/load.js';
import { loadText } from './helpers.js';

describe('readConfigInput', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-input-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a file: absolute path, name as given, its folder as baseDir; a UTF-8 BOM is dropped', async () => {
    writeFileSync(join(dir, 'c.yaml'), '\ufeffmcp: {targets: [{name: a, stdio: {cmd: node}}]}\n');
    const input = await readConfigInput({ file: 'c.yaml', cwd: dir });
    assert.deepEqual(input, {
      text: 'mcp: {targets: [{name: a, stdio: {cmd: node}}]}\n',
      name: 'c.yaml',
      file: join(dir, 'c.yaml'),
      baseDir: dir,
    });
  });

  test('JSON is YAML', async () => {
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({ mcp: { port: 4000, targets: [{ name: 'a', stdio: { cmd: 'node' } }] } }),
    );
    const input = await readConfigInput({ file: join(dir, 'c.json') });
    assert.equal(loadText(input.text).config.binds[0]!.port, 4000);
  });

  test('a missing file is a ConfigError naming it', async () => {
    await assert.rejects(readConfigInput({ file: 'nope.yaml', cwd: dir }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, `nope.yaml: cannot read config: no such file (${join(dir, 'nope.yaml')})`);
      return true;
    });
  });

  test('inline config', async () => {
    assert.deepEqual(await readConfigInput({ inline: 'binds: []', cwd: dir }), {
      text: 'binds: []',
      name: '<inline>',
      baseDir: dir,
    });
  });

  test('-f - and stdin: true read the stream', async () => {
    const a = await readConfigInput({ file: '-', stdinStream: Readable.from(['mcp:', ' {}']), cwd: dir });
    assert.deepEqual(a, { text: 'mcp: {}', name: '<stdin>', baseDir: dir });
    const b = await readConfigInput({
      stdin: true,
      stdinStream: Readable.from([Buffer.from('x: 1')]),
      cwd: dir,
    });
    assert.equal(b.text, 'x: 1');
  });

  test('only one source', async () => {
    await assert.rejects(readConfigInput({ file: 'a.yaml', inline: 'x' }), /only one of --config or --file/);
    await assert.rejects(readConfigInput({}), /no config given/);
  });
});
