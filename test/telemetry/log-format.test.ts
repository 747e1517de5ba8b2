/** Logs for people and machines: text vs JSON, escaping, one key per record, levels that say the outcome. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createAccessLog, outcomeLevel } from '../../src/telemetry/access-log.js';
import { escapeControl } from '../../src/telemetry/escape.js';
import { createLogger, resolveLogFormat, type LoggerOptions } from '../../src/telemetry/logger.js';

function capture(format: LoggerOptions['format'], tty?: boolean) {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString('utf8');
      cb();
    },
  });
  const logger = createLogger({ level: 'info', format, destination, ...(tty === undefined ? {} : { tty }) });
  return { logger, text: () => text, lines: () => text.split('\n').filter(Boolean) };
}

describe('log format', () => {
  it('auto: text on a terminal, JSON otherwise; an explicit format wins', () => {
    assert.equal(resolveLogFormat('auto', true), 'text');
    assert.equal(resolveLogFormat('auto', false), 'json');
    assert.equal(resolveLogFormat('json', true), 'json');
    assert.equal(resolveLogFormat('text', false), 'text');
    const tty = capture('auto', true);
    tty.logger.info({ a: 1 }, 'hello');
    assert.match(tty.lines()[0]!, /^\S+Z INFO {2}hello a=1$/);
    const pipe = capture('auto', false);
    pipe.logger.info({ a: 1 }, 'hello');
    assert.equal((JSON.parse(pipe.lines()[0]!) as { msg: string }).msg, 'hello');
  });

  it('text logs escape control characters in values, keys and messages (no terminal escape injection)', () => {
    const { logger, text } = capture('text');
    logger.info(
      { 'mcp.tool.name': 'evil\x1b[2J\x1b[31m', 'http.header': 'a\rb\u202ec', ['k\x1b]0;x\x07']: 'v' },
      'call \x1b[1mbold\x1b[0m',
    );
    const out = text();
    assert.equal(out.includes('\x1b'), false, 'no raw ESC reaches the terminal');
    assert.equal(out.includes('\r'), false);
    assert.equal(out.includes('\u202e'), false);
    assert.equal(out.includes('\x07'), false);
    assert.match(out, /mcp\.tool\.name=evil\\x1b\[2J\\x1b\[31m/);
    assert.match(out, /call \\x1b\[1mbold\\x1b\[0m/);
    assert.equal(out.split('\n').filter(Boolean).length, 1, 'one line per record');
  });

  it('a newline in a value cannot forge a second record', () => {
    const { logger, lines } = capture('text');
    logger.info({ 'mcp.tool.name': 'x\n2026-01-01T00:00:00.000Z INFO  forged' }, 'request');
    assert.equal(lines().length, 1);
    assert.match(lines()[0]!, /x\\n2026/);
  });

  it('CEL carets stay readable in text: the message keeps its lines, indented under a bar', () => {
    const { logger, lines } = capture('text');
    logger.warn('config.yaml:3:5: invalid CEL rule: undeclared\n  mcp.tool.nme == 1\n  ........^');
    const l = lines();
    assert.equal(l.length, 3);
    assert.match(l[0]!, /WARN {2}config\.yaml:3:5: invalid CEL rule: undeclared$/);
    assert.equal(l[1], '    |   mcp.tool.nme == 1');
    assert.equal(l[2], '    |   ........^');
  });

  it('one key per record: a field a child logger binds is not written twice', () => {
    for (const format of ['json', 'text'] as const) {
      const { logger, text } = capture(format);
      const child = logger.child({ target: 'local' });
      child.info({ target: 'local', pid: 7, stream: 'stderr' }, 'upstream says hi');
      child.info({ target: 'other' }, 'different');
      const out = text();
      const [first, second] = out.split('\n');
      assert.equal(first!.match(/"?target"?[=:]/g)?.length, 1, first);
      if (format === 'json') {
        assert.equal((JSON.parse(first!) as { target: string }).target, 'local');
        const s = JSON.parse(second!) as Record<string, unknown>;
        assert.equal(s.target, 'local');
        assert.equal(s['target.event'], 'other');
      }
    }
  });

  it('escapeControl names each control character', () => {
    assert.equal(escapeControl('a\x1b[0m\t\n\x7f\x85'), 'a\\x1b[0m\\t\\n\\x7f\\x85');
    assert.equal(escapeControl('plain ünïcode ✓'), 'plain ünïcode ✓');
  });
});

describe('access log levels follow the outcome', () => {
  it('info for success, warn for 4xx and in-band errors, error for 5xx', () => {
    assert.equal(outcomeLevel({ 'http.status': 200 }), 'info');
    assert.equal(outcomeLevel({ 'http.status': 401 }), 'warn');
    assert.equal(
      outcomeLevel({ 'http.status': 200, error: 'target "t" failed: spawn nodee ENOENT' }),
      'warn',
    );
    assert.equal(outcomeLevel({ 'http.status': 502 }), 'error');
  });

  it('a failed initialize (JSON-RPC error in a 200) is written at warn, also when the level is warn', () => {
    let text = '';
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString('utf8');
        cb();
      },
    });
    const logger = createLogger({ level: 'warn', format: 'json', destination });
    createAccessLog({ logger }).write({
      'http.status': 200,
      'mcp.method': 'initialize',
      error: 'target "t" failed: spawn nodee ENOENT',
      duration: '3ms',
    });
    const line = JSON.parse(text) as Record<string, unknown>;
    assert.equal(line.level, 'warn');
    assert.equal(line.error, 'target "t" failed: spawn nodee ENOENT');
  });
});

describe('errors in logs', () => {
  it('an err field carries type, message and code, never a stack trace', () => {
    for (const format of ['json', 'text'] as const) {
      let text = '';
      const destination = new Writable({
        write(chunk: Buffer, _enc, cb) {
          text += chunk.toString('utf8');
          cb();
        },
      });
      const logger = createLogger({ level: 'info', format, destination });
      const e = Object.assign(new Error('spawn nodee ENOENT'), { code: 'ENOENT' });
      logger.error({ err: e }, 'failed');
      assert.match(text, /spawn nodee ENOENT/);
      assert.equal(text.includes('    at '), false, text);
      if (format === 'json') {
        assert.deepEqual((JSON.parse(text) as { err: unknown }).err, {
          type: 'Error',
          message: 'spawn nodee ENOENT',
          code: 'ENOENT',
        });
      }
    }
  });
});
