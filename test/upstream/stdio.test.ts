import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createUpstreamFactory } from '../../src/mcp/upstream/factory.js';
import { everythingStdio, fixtureStdio, isAlive } from '../fixtures/spawn.js';
import {
  captureLogger,
  Driver,
  eventually,
  firstText,
  recordingTelemetry,
  target,
  type Json,
} from './driver.js';

const quiet = pino({ level: 'silent' });

describe('stdio upstream', () => {
  const telemetry = recordingTelemetry();
  const factory = createUpstreamFactory({ telemetry, killGraceMs: 1000 });
  after(() => factory.close());

  const flaky = (env: Record<string, string> = {}) =>
    target('flaky', { kind: 'stdio', ...fixtureStdio('flaky-server.ts'), env });

  it('initialize → tools/list → tools/call against server-everything', async (t) => {
    const up = factory.create(target('everything', { kind: 'stdio', ...everythingStdio(), env: {} }), {
      logger: quiet,
    });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await up.start();
    assert.ok(up.pid && isAlive(up.pid));

    const init = await rpc.initialize();
    assert.equal((init.serverInfo as Json).name, 'mcp-servers/everything');
    const list = await rpc.call('tools/list');
    const names = (list.tools as { name: string }[]).map((x) => x.name);
    assert.ok(names.includes('echo'), names.join(','));
    const echoed = await rpc.call('tools/call', { name: 'echo', arguments: { message: 'hi there' } });
    assert.match(firstText(echoed), /hi there/);
    assert.ok(telemetry.events.includes('spawned:everything'));
  });

  it('passes the gateway environment on without PORTCULLIS_* variables, plus the target env', async (t) => {
    process.env.PORTCULLIS_TEST_SECRET = 'must-not-leak';
    t.after(() => delete process.env.PORTCULLIS_TEST_SECRET);
    const up = factory.create(flaky({ GREETING: 'hello' }), { logger: quiet });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await up.start();
    await rpc.initialize();
    const res = await rpc.call('tools/call', { name: 'env', arguments: {} });
    const env = (res.structuredContent as { env: Record<string, string> }).env;
    assert.equal(env.GREETING, 'hello');
    assert.equal(env.PATH, process.env.PATH);
    assert.equal(env.PORTCULLIS_TEST_SECRET, undefined);
    assert.equal(
      env.PORTCULLIS_TEST,
      undefined,
      'the runner sets PORTCULLIS_TEST in our env; the child must not see it',
    );
  });

  it('captures stderr line by line into the log with the target name', async (t) => {
    const { logger, lines } = captureLogger();
    const up = factory.create(flaky(), { logger });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await up.start();
    await rpc.initialize();
    await rpc.call('tools/call', { name: 'stderr', arguments: { text: 'first line\nsecond line' } });
    await eventually(() => lines.some((l) => l.msg === 'second line'), 5000, 'stderr lines');
    const line = lines.find((l) => l.msg === 'first line')!;
    assert.equal(line.target, 'flaky');
    assert.equal(line.stream, 'stderr');
    assert.equal(line.pid, up.pid);
  });

  it('skips a non-JSON line on stdout and keeps working', async (t) => {
    const { logger, lines } = captureLogger();
    const up = factory.create(flaky(), { logger });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await up.start();
    await rpc.initialize();
    await rpc.call('tools/call', { name: 'stdout_garbage', arguments: {} });
    const res = await rpc.call('tools/call', { name: 'slow', arguments: { ms: 0 } });
    assert.equal(firstText(res), 'slept 0 ms');
    assert.ok(lines.some((l) => String(l.msg).includes('non-JSON-RPC line')));
  });

  it('fires onclose once with the exit code when the child dies, while a request is pending', async (t) => {
    const up = factory.create(flaky(), { logger: quiet });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await up.start();
    await rpc.initialize();
    const pending = rpc.request('tools/call', { name: 'die', arguments: { code: 3 } });
    const reason = await rpc.closed;
    assert.equal(reason?.message, 'target "flaky" failed: exited with code 3');
    assert.equal((reason as { code?: string }).code, 'UPSTREAM_CLOSED');
    assert.equal(rpc.closeCount, 1);
    // The request never got an answer: the session fails it on onclose (Upstream contract).
    const raced = await Promise.race([pending.then(() => 'answered'), Promise.resolve('pending')]);
    assert.equal(raced, 'pending');
    const after = await rpc.request('ping');
    assert.equal(after.error?.message, 'target "flaky" failed: not running');
    assert.equal(after.upstreamCode, 'UPSTREAM_CLOSED');
    await up.close();
    assert.equal(rpc.closeCount, 1);
  });

  it('reports a child killed by a signal', async (t) => {
    const up = factory.create(flaky(), { logger: quiet });
    t.after(() => up.close());
    const rpc = new Driver(up);
    await up.start();
    process.kill(up.pid!, 'SIGKILL');
    const reason = await rpc.closed;
    assert.equal(reason?.message, 'target "flaky" failed: was killed by SIGKILL');
    assert.ok(telemetry.events.includes('exited:flaky'));
  });

  it('close() kills the whole process group: no child or grandchild survives', async () => {
    const up = factory.create(flaky(), { logger: quiet });
    const rpc = new Driver(up);
    await up.start();
    await rpc.initialize();
    const res = await rpc.call('tools/call', { name: 'spawn_grandchild', arguments: {} });
    const grandchild = (res.structuredContent as { pid: number }).pid;
    const child = up.pid!;
    assert.ok(isAlive(grandchild));
    await up.close();
    assert.equal(await rpc.closed, undefined, 'a requested close has no error reason');
    await eventually(() => !isAlive(child) && !isAlive(grandchild), 5000, 'child and grandchild gone');
  });

  it('kills what a crashed child left behind in its group', async () => {
    const up = factory.create(flaky(), { logger: quiet });
    const rpc = new Driver(up);
    await up.start();
    await rpc.initialize();
    const res = await rpc.call('tools/call', { name: 'spawn_grandchild', arguments: {} });
    const grandchild = (res.structuredContent as { pid: number }).pid;
    process.kill(up.pid!, 'SIGKILL');
    await rpc.closed;
    await eventually(() => !isAlive(grandchild), 5000, 'orphaned grandchild gone');
  });

  it('rejects start() with a clear message when the command does not exist', async () => {
    const up = factory.create(
      target('ghost', { kind: 'stdio', cmd: 'portcullis-no-such-command', args: [], env: {} }),
      { logger: quiet },
    );
    await assert.rejects(up.start(), {
      message: 'target "ghost" failed: cannot start "portcullis-no-such-command": command not found (ENOENT)',
      code: 'UPSTREAM_SPAWN_FAILED',
      target: 'ghost',
    });
    await up.close();
  });

  it('factory.close() terminates every child still running', async () => {
    const own = createUpstreamFactory({ telemetry: recordingTelemetry(), killGraceMs: 1000 });
    const ups = [own.create(flaky(), { logger: quiet }), own.create(flaky(), { logger: quiet })];
    await Promise.all(ups.map((u) => u.start()));
    const pids = ups.map((u) => u.pid!);
    assert.equal(own.liveProcessGroups(), 2);
    await own.close();
    assert.equal(own.liveProcessGroups(), 0);
    await eventually(() => pids.every((p) => !isAlive(p)), 5000, 'children gone');
  });
});
