/**
 * Start-up failures say what to change: a port in use names the bind, the config setting, the file and
 * the fix; the admin, stats and readiness servers name their setting and environment variable.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGateway } from '../helpers/gateway.js';
import { startPortcullis } from '../../src/app/run.js';
import { readConfigInput } from '../../src/config/load.js';

async function occupy(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return { port: typeof a === 'object' && a ? a.port : 0, server };
}

const direct = (port: number) => `binds:
- port: ${port}
  address: "127.0.0.1"
  listeners:
  - routes:
    - policies:
        directResponse: {status: 200, body: "ok"}
`;

describe('start-up failures say what to change', () => {
  const held: Server[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-startup-'));
  after(() => {
    for (const s of held) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a bind port in use: bind, setting, file and the fix', async () => {
    const taken = await occupy();
    held.push(taken.server);
    await assert.rejects(startGateway(direct(taken.port), { name: 'startup-errors' }), (e: Error) => {
      assert.equal(
        e.message,
        `bind 0 (port ${taken.port}, from binds[0].port in ${e.message.match(/in (\S+config\.yaml)\)/)?.[1]}): address already in use — change the port or stop the other process`,
      );
      assert.match(e.message, /config\.yaml/);
      return true;
    });
  });

  for (const [server, key, env] of [
    ['admin server', 'adminAddr', 'ADMIN_ADDR'],
    ['stats server', 'statsAddr', 'STATS_ADDR'],
    ['readiness server', 'readinessAddr', 'READINESS_ADDR'],
  ] as const) {
    test(`${server} address in use: names config.${key} and ${env}`, async () => {
      const taken = await occupy();
      held.push(taken.server);
      const file = join(dir, `${key}.yaml`);
      writeFileSync(file, direct(0));
      const free = { host: '127.0.0.1', port: 0 };
      await assert.rejects(
        startPortcullis({
          input: await readConfigInput({ file }),
          env: {},
          watch: false,
          logDestination: { write: () => true } as unknown as NodeJS.WritableStream,
          adminAddr: free,
          statsAddr: free,
          readinessAddr: free,
          [key]: { host: '127.0.0.1', port: taken.port },
        }),
        new RegExp(
          `: ${server} \\(port ${taken.port}, from config\\.${key} in .*${key}\\.yaml or the environment variable ${env}\\): address already in use — change the port or stop the other process$`,
        ),
      );
    });
  }

  test('the CLI prints it and exits 1', async () => {
    const taken = await occupy();
    held.push(taken.server);
    const file = join(dir, 'cli.yaml');
    writeFileSync(file, direct(taken.port));
    const r = spawnSync(process.execPath, [resolve('bin/portcullis.js'), '-f', file], {
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        ...process.env,
        ADMIN_ADDR: '127.0.0.1:0',
        STATS_ADDR: '127.0.0.1:0',
        READINESS_ADDR: '127.0.0.1:0',
      },
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `error: bind 0 \\(port ${taken.port}, from binds\\[0\\]\\.port in \\S*cli\\.yaml\\): address already in use`,
      ),
    );
    assert.doesNotMatch(r.stderr, /EADDRINUSE.*\n\s+at /);
  });
});
