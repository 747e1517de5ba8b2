/** `--validate-only` (validateReport) reports a bad tracing CEL expression at its line, like other CEL. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateReport } from '../../src/cli/validate.js';

const input = (text: string) => ({ text, name: 'config.yaml', baseDir: process.cwd() });

test('a bad sampling or attribute expression is an error at its line; good ones validate', async () => {
  const bad = await validateReport(
    input(`frontendPolicies:
  tracing:
    host: collector:4317
    randomSampling: request.hedaers["x"] == "1"
    attributes:
      user: jwt.sub
`),
    {},
  );
  assert.equal(bad.errors.length, 1, bad.errors.map((e) => e.text).join('\n'));
  assert.match(
    bad.errors[0]!.text,
    /^config\.yaml:4:\d+: frontendPolicies\.tracing\.randomSampling: invalid CEL expression/,
  );
  const good = await validateReport(
    input(`config:
  tracing:
    otlpEndpoint: http://collector:4317
    randomSampling: 'request.path.startsWith("/mcp") ? 0.5 : 0.0'
    fields:
      add: {user: jwt.sub}
`),
    {},
  );
  assert.deepEqual(good.errors, []);
});
