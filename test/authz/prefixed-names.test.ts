/**
 * Rules that compare an item's name with the name only clients see (prefixed on a multiplexed route)
 * never match: a load warning says so and spells out the fix. Found by `comparedNames` (src/cel/analysis.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparedNames } from '../../src/cel/analysis.js';
import { celEnvironment } from '../../src/cel/environment.js';
import type { RuleConfig } from '../../src/config/schema/policies.js';
import type { NormalizedMcpBackend } from '../../src/config/types.js';
import { warnPrefixedNames } from '../../src/policies/authorization/prefixed-names.js';
import { AT, buildContext } from './helpers.js';

const names = (src: string) => comparedNames(celEnvironment('mcp').parse(src).ast);

function backend(
  targets: string[],
  prefixMode: 'conditional' | 'always' = 'conditional',
): NormalizedMcpBackend {
  return { targets: targets.map((name) => ({ name })), prefixMode } as unknown as NormalizedMcpBackend;
}

function warnings(rules: RuleConfig[], b: NormalizedMcpBackend): string[] {
  const ctx = buildContext();
  warnPrefixedNames(rules, b, ctx, AT);
  return ctx.warnings;
}

describe('comparedNames', () => {
  it('finds string literals compared with mcp.<kind>.name by ==, != and in, on either side, anywhere', () => {
    assert.deepEqual(
      names(
        'mcp.tool.name == "a" || "b" == mcp.prompt.name || (jwt.x && mcp.tool.name in ["c", "d"]) || !(mcp.resource.name != "e")',
      ),
      [
        { kind: 'tool', value: 'a' },
        { kind: 'prompt', value: 'b' },
        { kind: 'tool', value: 'c' },
        { kind: 'tool', value: 'd' },
        { kind: 'resource', value: 'e' },
      ],
    );
  });

  it('ignores other comparisons', () => {
    assert.deepEqual(names('mcp.tool.target == "local" && jwt.sub == "local_echo"'), []);
    assert.deepEqual(names('mcp.tool.name.startsWith("local_")'), []);
  });
});

describe('warnPrefixedNames', () => {
  it('warns for a client-facing tool name on a multiplexed route, with the fix', () => {
    const w = warnings(['mcp.tool.name == "local_echo"'], backend(['local', 'remote']));
    assert.equal(w.length, 1);
    assert.match(w[0]!, /rules\.0: rules\[0\] compares mcp\.tool\.name with "local_echo"/);
    assert.match(w[0]!, /Write mcp\.tool\.name == "echo" && mcp\.tool\.target == "local"$/);
  });

  it('covers prompts and resources (`<target>+<uri>`), and object rules', () => {
    const w = warnings(
      [{ deny: 'mcp.prompt.name == "remote_greet"' }, { allow: 'mcp.resource.name == "local+file:///a"' }],
      backend(['local', 'remote']),
    );
    assert.equal(w.length, 2);
    assert.match(w[0]!, /rules\.0\.deny: .*mcp\.prompt\.name == "greet" && mcp\.prompt\.target == "remote"/);
    assert.match(
      w[1]!,
      /rules\.1\.allow: .*mcp\.resource\.name == "file:\/\/\/a" && mcp\.resource\.target == "local"/,
    );
  });

  it('applies to a single target with prefixMode: always', () => {
    assert.equal(warnings(['mcp.tool.name == "only_echo"'], backend(['only'], 'always')).length, 1);
  });

  it('stays quiet when the names are not prefixed or name no target', () => {
    assert.deepEqual(warnings(['mcp.tool.name == "local_echo"'], backend(['local'])), []);
    assert.deepEqual(
      warnings(['mcp.tool.name == "echo"', 'mcp.tool.name == "get_sum"'], backend(['a', 'b'])),
      [],
    );
  });
});
