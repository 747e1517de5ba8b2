/** `$VAR` / `${VAR}` expansion before parsing, and positions that survive it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expandEnv } from '../../src/config/env.js';
import { findIssue, loadError, loadText } from './helpers.js';

describe('expandEnv', () => {
  const env = { HOST: 'localhost', PORT: '3001', EMPTY: '' };

  test('$VAR and ${VAR}', () => {
    assert.equal(expandEnv('url: http://$HOST:${PORT}/mcp', env).text, 'url: http://localhost:3001/mcp');
  });

  test('${VAR:-default} when unset or empty', () => {
    const r = expandEnv('a: ${MISSING:-x} b: ${EMPTY:-y} c: ${HOST:-z}', env);
    assert.equal(r.text, 'a: x b: y c: localhost');
    assert.deepEqual(r.errors, []);
  });

  test('$$ is a literal $', () => {
    assert.equal(expandEnv('price: $$5 and $${HOST}', env).text, 'price: $5 and ${HOST}');
  });

  test('$ before a non-identifier character stays literal (regex anchors)', () => {
    const r = expandEnv('regex: "^/mcp$" other: "a$ b$-c$/"\nend: $', env);
    assert.equal(r.text, 'regex: "^/mcp$" other: "a$ b$-c$/"\nend: $');
    assert.deepEqual(r.errors, []);
  });

  test('the yaml-language-server schema comment is left alone', () => {
    const text = '# yaml-language-server: $schema=../../schema/config.schema.json\nport: $PORT\n';
    const r = expandEnv(text, env);
    assert.equal(r.text, '# yaml-language-server: $schema=../../schema/config.schema.json\nport: 3001\n');
    assert.deepEqual(r.errors, []);
  });

  test('an empty variable expands to nothing (defined)', () => {
    const r = expandEnv('a: "$EMPTY"', env);
    assert.equal(r.text, 'a: ""');
    assert.deepEqual(r.errors, []);
  });

  test('every unset variable is an error with its offset', () => {
    const r = expandEnv('a: $NOPE\nb: ${ALSO_NOPE}\n', env);
    assert.deepEqual(
      r.errors.map((e) => [e.offset, e.message.split(' (')[0]]),
      [
        [3, 'environment variable `NOPE` is not set'],
        [12, 'environment variable `ALSO_NOPE` is not set'],
      ],
    );
  });

  test('unterminated ${ and invalid names are errors', () => {
    assert.match(expandEnv('a: ${HOST\n', env).errors[0]!.message, /unterminated `\$\{`/);
    assert.match(expandEnv('a: ${1X}', env).errors[0]!.message, /invalid variable name `1X`/);
  });

  test('offsets map back to the original text', () => {
    const r = expandEnv('ab $HOST cd ${PORT} ef', env);
    // expanded: 'ab localhost cd 3001 ef'
    assert.equal(r.toOriginal(0), 0);
    assert.equal(r.toOriginal(3), 3); // inside the substitution → its `$`
    assert.equal(r.toOriginal(8), 3);
    assert.equal(r.toOriginal(13), 9); // 'c' of cd
    assert.equal(r.toOriginal(21), 20); // 'e' of ef
  });
});

describe('env expansion in loadConfig', () => {
  const yaml = (port: string, host: string) =>
    `mcp:\n  port: ${port}\n  targets:\n  - name: a\n    mcp: {host: "${host}"}\n`;

  test('expanded values are typed by YAML after expansion', () => {
    const loaded = loadText(yaml('$GW_PORT', 'http://${UP_HOST}:3001/mcp'), {
      env: { GW_PORT: '4000', UP_HOST: 'upstream' },
    });
    const bind = loaded.config.binds[0]!;
    assert.equal(bind.port, 4000);
    const t = bind.listeners[0]!.routes[0]!.backends[0]!;
    const target = t.kind === 'mcp' ? t.targets[0] : undefined;
    assert.ok(target?.kind === 'mcp');
    assert.equal(target.url, 'http://upstream:3001/mcp');
  });

  test('an unset variable names its line, column and field', () => {
    const err = loadError(yaml('$GW_PORT', 'http://${UP_HOST}:3001/mcp'), { env: { GW_PORT: '4000' } });
    assert.equal(err.issues.length, 1);
    const issue = findIssue(err, 'mcp.targets[0].mcp.host');
    assert.deepEqual([issue.line, issue.column], [5, 25]);
    assert.match(issue.message, /environment variable `UP_HOST` is not set/);
  });

  test('all unset variables are reported at once', () => {
    const err = loadError(yaml('$GW_PORT', 'http://${UP_HOST}:3001/mcp'));
    assert.deepEqual(
      err.issues.map((i) => [i.line, i.column, i.path]),
      [
        [2, 9, 'mcp.port'],
        [5, 25, 'mcp.targets[0].mcp.host'],
      ],
    );
  });

  test('positions after an expansion refer to the original text', () => {
    // The expansions change the line's length; the errors must still point at what was written.
    const err = loadError('mcp: {statefulMode: $LONG, port: $BAD_PORT, targets: []}\n', {
      env: { LONG: 'stateful', BAD_PORT: 'x'.repeat(50) },
    });
    const issue = findIssue(err, 'mcp.port');
    assert.deepEqual([issue.line, issue.column], [1, 34]);
    assert.match(issue.message, /expected a number, got "x{37}\.\.\."/);
    const targets = findIssue(err, 'mcp.targets');
    assert.deepEqual([targets.line, targets.column], [1, 54]);
  });

  test('a multi-line value does not shift the lines of later errors', () => {
    const err = loadError('config:\n  logging:\n    fields:\n      remove: $MULTI\nbinds: 3\n', {
      env: { MULTI: '[\n        "a",\n        "b",\n        4]' },
    });
    const remove = findIssue(err, 'config.logging.fields.remove[2]');
    assert.deepEqual([remove.line, remove.column], [4, 15]);
    const binds = findIssue(err, 'binds');
    assert.deepEqual([binds.line, binds.column], [5, 8]);
  });

  test('a regex with a trailing $ and an escaped $$ load unchanged', () => {
    const loaded = loadText(
      'binds:\n- port: 3000\n  listeners:\n  - routes:\n    - matches:\n      - path: {regex: "^/mcp$"}\n      policies:\n        directResponse: {status: 200, body: "costs $$5"}\n',
    );
    const route = loaded.config.binds[0]!.listeners[0]!.routes[0]!;
    assert.deepEqual(route.matches[0]!.path, { kind: 'regex', value: '^/mcp$' });
    const dr = route.policies.directResponse;
    assert.equal(dr && 'body' in dr ? dr.body : undefined, 'costs $5');
  });

  test('a commented-out reference is expanded too (agentgateway expands the whole text)', () => {
    const err = loadError('# key: $OLD_KEY\nconfig: {}\n');
    assert.deepEqual([err.issues[0]!.line, err.issues[0]!.column], [1, 8]);
  });
});
