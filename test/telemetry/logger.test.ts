import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, isLogLevel, setLevel } from '../../src/telemetry/logger.js';

function capture(format: 'json' | 'text', level = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(l);
      cb();
    },
  });
  return { logger: createLogger({ level, format, destination }), lines };
}

describe('logger', () => {
  it('changes the level at run time, for child loggers too', () => {
    const { logger, lines } = capture('json');
    const child = logger.child({ component: 'mcp' });
    child.debug('hidden');
    assert.equal(setLevel(logger, ' DEBUG '), 'info');
    assert.equal(logger.level, 'debug');
    child.debug('shown');
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { msg: string }).msg),
      ['shown'],
    );
  });

  it('rejects an unknown level and keeps the current one', () => {
    const { logger } = capture('json', 'warn');
    assert.throws(() => setLevel(logger, 'verbose'), {
      name: 'RangeError',
      message: 'invalid log level "verbose": expected one of trace, debug, info, warn, error, fatal, silent',
    });
    assert.equal(logger.level, 'warn');
    assert.equal(isLogLevel('silent'), true);
    assert.equal(isLogLevel('verbose'), false);
  });

  it('redacts credential fields in JSON and text lines', () => {
    for (const format of ['json', 'text'] as const) {
      const { logger, lines } = capture(format);
      logger.info({ headers: { authorization: 'Bearer abc' }, token: 't0k3n' }, 'hello');
      assert.equal(lines.length, 1);
      assert.equal(lines[0]!.includes('abc'), false, lines[0]);
      assert.equal(lines[0]!.includes('t0k3n'), false, lines[0]);
    }
  });
});
