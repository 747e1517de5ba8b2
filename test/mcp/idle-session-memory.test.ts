/**
 * What an idle session keeps, made small: one shared expiry timer per TTL (src/mcp/session/idle-sweep.ts)
 * instead of one per session, and child loggers made on the first enabled log call
 * (src/mcp/session/lazy-logger.ts). Behaviour stays: idle members expire, active ones stay, log lines
 * carry their bindings.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { IdleSweep } from '../../src/mcp/session/idle-sweep.js';
import { lazyChild } from '../../src/mcp/session/lazy-logger.js';
import { eventually } from '../helpers/gateway.js';

describe('idle sweep', () => {
  it('expires members idle for the TTL, keeps the active ones, stops when empty', async () => {
    const sweep = new IdleSweep(40);
    const expired: string[] = [];
    const idle = { lastActiveAt: Date.now(), expire: () => void expired.push('idle') };
    const active = {
      lastActiveAt: Date.now(),
      expire: () => void expired.push('active'),
    };
    sweep.add(idle);
    sweep.add(active);
    const keepAlive = setInterval(() => (active.lastActiveAt = Date.now()), 5);
    try {
      await eventually(() => expired.includes('idle'), 5000);
      assert.ok(!expired.includes('active'), 'a member touched more often than the TTL stays');
    } finally {
      clearInterval(keepAlive);
    }
    sweep.delete(idle);
    sweep.delete(active);
    assert.equal(sweep.size, 0);
  });
});

describe('lazy child logger', () => {
  function sink(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
    const lines: Record<string, unknown>[] = [];
    const dest = new Writable({
      write(chunk: Buffer, _e, cb) {
        for (const l of chunk.toString().split('\n'))
          if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    return { logger: pino({ level: 'info' }, dest), lines };
  }

  it('makes no child for calls at disabled levels', () => {
    let children = 0;
    const parent = {
      level: 'info',
      isLevelEnabled: (l: string) => l !== 'debug' && l !== 'trace',
      child: () => {
        children++;
        return parent;
      },
    } as unknown as pino.Logger;
    const session = lazyChild(parent, { session: 's1' });
    const target = lazyChild(session, { target: 't1' });
    session.debug('not logged');
    target.debug({ x: 1 }, 'not logged either');
    target.trace('no');
    assert.equal(target.isLevelEnabled('debug'), false);
    assert.equal(target.level, 'info');
    assert.equal(children, 0, 'nothing logged, nothing made');
  });

  it('logs through one real child per level of nesting, with its bindings', async () => {
    const { logger, lines } = sink();
    const session = lazyChild(logger, { session: 's1' });
    const target = lazyChild(session, { target: 't1' });
    target.warn({ n: 2 }, 'upstream error');
    target.info('again');
    session.info('session line');
    await eventually(() => lines.length === 3, 2000);
    assert.deepEqual(
      lines.map((l) => [l.session, l.target, l.msg]),
      [
        ['s1', 't1', 'upstream error'],
        ['s1', 't1', 'again'],
        ['s1', undefined, 'session line'],
      ],
    );
    assert.equal(lines[0]?.n, 2);
  });
});
