/** The one duration parser: Go's spellings, as agentgateway accepts them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDurationMs } from '../../src/config/duration.js';
import { loadText } from './helpers.js';

test('Go duration spellings', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['250ms', 250],
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['1h2m3.5s', 3_723_500],
    ['1.5s', 1500],
    ['500us', 1],
    ['1500us', 2],
    ['1500µs', 2],
    ['2000000ns', 2],
    ['.5s', 500],
  ];
  for (const [text, ms] of cases) assert.equal(parseDurationMs(text), ms, text);
  for (const bad of ['', '10', '10 minutes', '1d', 's', '-1s', '1m 30s']) {
    assert.equal(parseDurationMs(bad), undefined, bad);
  }
});

test('the schema takes the same spellings', () => {
  const loaded = loadText(
    'config:\n  connectionTerminationDeadline: "0"\n  backend:\n    connectTimeout: 1h2m3.5s\n    poolIdleTimeout: 500us\n',
  );
  assert.equal(loaded.config.static.connectionTerminationDeadlineMs, 0);
  assert.equal(loaded.config.static.backend.connectTimeoutMs, 3_723_500);
  assert.equal(loaded.config.static.backend.poolIdleTimeoutMs, 1);
});
