/** updateConfigText: rewrite the YAML to match a new config, keeping comments and style where untouched. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { updateConfigText } from '../../src/config/write.js';
import { loadText, REPO_ROOT } from './helpers.js';

const SEED = readFileSync(join(REPO_ROOT, 'test/config/cases/seed-authorization.yaml'), 'utf8');

interface Seed {
  binds: {
    port: number;
    listeners: {
      routes: { policies: Record<string, unknown> & { mcpAuthorization: { rules: unknown[] } } }[];
    }[];
  }[];
  config?: Record<string, unknown>;
}

describe('updateConfigText', () => {
  test('the same config gives back the same text', () => {
    // (The seed has no final newline; the writer always ends with one.)
    assert.equal(updateConfigText(SEED, parse(SEED)), `${SEED.trimEnd()}\n`);
  });

  test('edits change only what they touch; comments and sequence style survive', () => {
    const c = parse(SEED) as Seed;
    c.binds[0]!.port = 3100;
    const policies = c.binds[0]!.listeners[0]!.routes[0]!.policies;
    policies.mcpAuthorization.rules.push('jwt.sub == "admin"');
    delete policies.backendAuth;
    c.config = { adminAddr: '127.0.0.1:15000' };
    const out = updateConfigText(SEED, c);

    assert.match(out, /^# yaml-language-server: \$schema=\.\.\/\.\.\/schema\/local\.json\n/);
    assert.match(out, /^- port: 3100$/m);
    assert.match(
      out,
      /# Relative to the folder the binary runs from, not the config file\n\s+file: \.\/manifests/,
    );
    assert.match(out, /# Only the test-user can call 'add'\n/);
    assert.match(out, /audiences: \[test\.agentgateway\.dev\]/);
    assert.match(
      out,
      /- 'mcp.tool.name == "printEnv" && jwt.nested.key == "value"'\n {10}- 'jwt.sub == "admin"'\n/,
    );
    assert.doesNotMatch(out, /backendAuth|passthrough/);
    assert.match(out, /^config:\n {2}adminAddr: 127\.0\.0\.1:15000$/m);
    assert.deepEqual(parse(out), c);
    // …and the result is still a valid config.
    loadText(out);
  });

  test('a value written as $VAR is kept when its expansion equals the new value', () => {
    const text = 'config:\n  adminAddr: $ADMIN # from the environment\n  statsAddr: 0.0.0.0:15020\n';
    const env = { ADMIN: '127.0.0.1:15000' };
    const same = updateConfigText(
      text,
      { config: { adminAddr: '127.0.0.1:15000', statsAddr: '0.0.0.0:15021' } },
      env,
    );
    assert.equal(same, 'config:\n  adminAddr: $ADMIN # from the environment\n  statsAddr: 0.0.0.0:15021\n');
    const changed = updateConfigText(
      text,
      { config: { adminAddr: '127.0.0.1:16000', statsAddr: '0.0.0.0:15020' } },
      env,
    );
    assert.match(changed, /adminAddr: 127\.0\.0\.1:16000 # from the environment/);
  });

  test('a value that changes shape is replaced, keeping its comment', () => {
    const out = updateConfigText('# top\na: 1 # one\nb: [1, 2]\n', { a: { x: 1 }, b: [1, 2, 3] });
    assert.deepEqual(parse(out), { a: { x: 1 }, b: [1, 2, 3] });
    assert.match(out, /^# top\n/);
    assert.match(out, /b: \[1, 2, 3\]/);
  });

  test('an empty or broken original is replaced by the new config', () => {
    assert.deepEqual(parse(updateConfigText('', { mcp: { port: 1 } })), { mcp: { port: 1 } });
    assert.deepEqual(parse(updateConfigText('a: [', { mcp: { port: 1 } })), { mcp: { port: 1 } });
  });
});
