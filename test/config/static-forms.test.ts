/** agentgateway's forms of `config.logging.level` and the tracing sampling fields. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findIssue, loadError, loadText } from './helpers.js';

test('logging.level: a level, env-filter directives or a list; module directives warn', () => {
  assert.equal(loadText('config:\n  logging:\n    level: debug\n').config.static.logging.level, 'debug');
  const l = loadText('config:\n  logging:\n    level: "warn,rmcp=debug"\n');
  assert.equal(l.config.static.logging.level, 'warn');
  assert.match(
    l.build.warnings.join('\n'),
    /config\.logging\.level: ignored: per-module levels \(rmcp=debug\)/,
  );
  const list = loadText('config:\n  logging:\n    level: [error, "hyper=info"]\n');
  assert.equal(list.config.static.logging.level, 'error');
  findIssue(loadError('config:\n  logging:\n    level: loud\n'), 'config.logging.level');
});

test('randomSampling / clientSampling: booleans, ratios and their string forms', () => {
  const t = (extra: string) =>
    loadText(`config:\n  tracing:\n    otlpEndpoint: http://127.0.0.1:4318\n${extra}`).config.static.tracing!;
  assert.equal(t('    randomSampling: "0.25"\n').samplingRatio, 0.25);
  assert.equal(t('    randomSampling: "false"\n').samplingRatio, 0);
  assert.equal(t('    randomSampling: true\n').samplingRatio, 1);
  assert.equal(t('').samplingRatio, 1);
  assert.equal(t('    clientSampling: "true"\n').clientSampling, true);
  const e = loadError(
    'config:\n  tracing:\n    otlpEndpoint: http://127.0.0.1:4318\n    randomSampling: request.path == "/x"\n',
  );
  assert.match(
    findIssue(e, 'config.tracing.randomSampling').message,
    /^not supported yet: a CEL sampling expression/,
  );
});
