/**
 * Files named in a config resolve against the working directory first (agentgateway's rule), then
 * against the config file's folder; a miss lists both paths tried. Every file read is a dependency.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createBuildContext } from '../../src/config/build-context.js';
import { ConfigError } from '../../src/config/errors.js';
import { findIssue, loadError, loadText } from './helpers.js';

const OPENAPI = (title: string) =>
  `{"openapi": "3.0.3", "info": {"title": "${title}", "version": "1"}, "paths": {}}`;

/** A config with one openapi target reading `file` (its value starts at line 7, column 22). */
const config = (file: string) =>
  `mcp:
  port: 3000
  targets:
  - name: pets
    openapi:
      host: http://localhost:8080
      schema: {file: ${file}}
`;

describe('relative file paths', () => {
  let root: string;
  let cwd: string;
  let configDir: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'portcullis-paths-'));
    cwd = join(root, 'work');
    configDir = join(root, 'etc');
    mkdirSync(join(cwd, 'schemas'), { recursive: true });
    mkdirSync(join(configDir, 'schemas'), { recursive: true });
    writeFileSync(join(cwd, 'schemas', 'both.json'), OPENAPI('from cwd'));
    writeFileSync(join(configDir, 'schemas', 'both.json'), OPENAPI('from config dir'));
    writeFileSync(join(configDir, 'schemas', 'config-only.json'), OPENAPI('config only'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const load = (file: string) => loadText(config(file), { cwd, baseDir: configDir, name: 'etc/config.yaml' });
  const openapiTarget = (loaded: ReturnType<typeof load>) => {
    const t = loaded.config.binds[0]!.listeners[0]!.routes[0]!.backends[0]!;
    assert.ok(t.kind === 'mcp');
    const target = t.targets[0]!;
    assert.ok(target.kind === 'openapi');
    return target;
  };

  test('the working directory wins when both have the file', () => {
    const loaded = load('./schemas/both.json');
    const target = openapiTarget(loaded);
    assert.equal(target.schemaFile, join(cwd, 'schemas', 'both.json'));
    assert.equal((target.schema as { info: { title: string } }).info.title, 'from cwd');
    assert.deepEqual([...loaded.build.dependencies], [join(cwd, 'schemas', 'both.json')]);
  });

  test("then the config file's folder", () => {
    const loaded = load('schemas/config-only.json');
    assert.equal(openapiTarget(loaded).schemaFile, join(configDir, 'schemas', 'config-only.json'));
    assert.deepEqual([...loaded.build.dependencies], [join(configDir, 'schemas', 'config-only.json')]);
  });

  test('an absolute path is used as is', () => {
    const abs = join(configDir, 'schemas', 'both.json');
    assert.equal(openapiTarget(load(abs)).schemaFile, abs);
  });

  test('a miss lists both paths tried, located at the field', () => {
    const err = loadError(config('./schemas/missing.json'), {
      cwd,
      baseDir: configDir,
      name: 'etc/config.yaml',
    });
    const issue = findIssue(err, 'mcp.targets[0].openapi.schema.file');
    assert.deepEqual([issue.line, issue.column], [7, 22]);
    assert.equal(
      issue.message,
      `file not found: ./schemas/missing.json (tried ${join(cwd, 'schemas', 'missing.json')} and ${join(configDir, 'schemas', 'missing.json')})`,
    );
  });

  test('a folder is not a file', () => {
    const err = loadError(config('schemas'), { cwd, baseDir: configDir });
    assert.match(findIssue(err, 'mcp.targets[0].openapi.schema.file').message, /schemas is not a file/);
  });

  test('TLS files follow the same rule and become dependencies', () => {
    writeFileSync(join(configDir, 'cert.pem'), 'cert');
    writeFileSync(join(cwd, 'key.pem'), 'key');
    const loaded = loadText(
      'binds:\n- port: 3443\n  listeners:\n  - protocol: HTTPS\n    tls: {cert: cert.pem, key: key.pem}\n    routes: []\n',
      { cwd, baseDir: configDir },
    );
    assert.deepEqual(loaded.config.binds[0]!.listeners[0]!.tls, {
      certFile: join(configDir, 'cert.pem'),
      keyFile: join(cwd, 'key.pem'),
    });
    assert.deepEqual(
      [...loaded.build.dependencies].sort(),
      [join(configDir, 'cert.pem'), join(cwd, 'key.pem')].sort(),
    );
  });

  test('BuildContext.readFile (used by policy compilers, e.g. jwtAuth jwks.file) records dependencies', () => {
    const loaded = loadText('config: {}\n', { cwd, baseDir: configDir });
    assert.equal(loaded.build.readFile('schemas/config-only.json', ['config']), OPENAPI('config only'));
    assert.equal(loaded.build.readFile('schemas/both.json', ['config']), OPENAPI('from cwd'));
    assert.deepEqual(
      [...loaded.build.dependencies],
      [join(configDir, 'schemas', 'config-only.json'), join(cwd, 'schemas', 'both.json')],
    );
    assert.throws(
      () => loaded.build.readFile('nope.json', ['config']),
      (e: unknown) =>
        e instanceof ConfigError &&
        /test\.yaml:1:9: config: file not found: nope\.json \(tried /.test(e.message),
    );
  });
});

describe('BuildContext', () => {
  const loaded = () =>
    loadText(
      'binds:\n- port: 3000\n  listeners:\n  - routes:\n    - policies:\n        cors: {maxAge: 5s}\n',
    );
  const at = ['binds', 0, 'listeners', 0, 'routes', 0, 'policies', 'cors', 'maxAge'];

  test('error() is a ConfigError located at the path', () => {
    const e = loaded().build.error(at, 'too short');
    assert.ok(e instanceof ConfigError);
    assert.equal(
      e.message,
      'test.yaml:6:24: binds[0].listeners[0].routes[0].policies.cors.maxAge: too short',
    );
    assert.deepEqual(e.issues, [
      {
        file: 'test.yaml',
        line: 6,
        column: 24,
        path: 'binds[0].listeners[0].routes[0].policies.cors.maxAge',
        message: 'too short',
      },
    ]);
  });

  test('locate() gives file:line:col; a missing path points at its closest ancestor', () => {
    const b = loaded().build;
    assert.equal(b.locate(at), 'test.yaml:6:24');
    assert.equal(b.locate(['binds', 0, 'listeners', 0, 'routes', 0, 'policies', 'jwtAuth']), 'test.yaml:6:9');
    assert.equal(b.locate([]), 'test.yaml:1:1');
  });

  test('warn() collects located warnings', () => {
    const b = loaded().build;
    b.warn(at, 'rounded to whole seconds');
    assert.deepEqual(b.warnings.slice(1), [
      'test.yaml:6:24: binds[0].listeners[0].routes[0].policies.cors.maxAge: rounded to whole seconds',
    ]);
  });

  test('without a document, errors carry the file name only', () => {
    const b = createBuildContext({ name: '<inline>', cwd: tmpdir(), baseDir: tmpdir() });
    assert.equal(b.error(['binds', 0], 'bad').message, '<inline>: binds[0]: bad');
  });
});
