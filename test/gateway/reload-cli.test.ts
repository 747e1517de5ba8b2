/**
 * The one reload path through the real binary: SIGHUP with a config whose bind cannot be bound, or an
 * empty file, is refused; the process keeps running and serving the previous config (such a reload
 * used to close the old listener and then reject unhandled, which stopped the process).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchCli } from '../helpers/cli.js';
import { eventually } from '../helpers/gateway.js';

const config = (body: string, address?: string) => `binds:
- port: 0
${address ? `  address: "${address}"\n` : ''}  listeners:
  - routes:
    - policies:
        directResponse: {status: 200, body: "${body}"}
`;

describe('reload through SIGHUP on the real binary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-reload-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('an unbindable address, then an empty file: refused, still running and serving', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, config('v1'));
    const p = await launchCli(['-f', file]);
    try {
      assert.equal(await (await fetch(`http://127.0.0.1:${p.port}/`)).text(), 'v1');
      const reloadErrors = async () =>
        (
          (await (await fetch(`${p.admin}/api/reload`)).json()) as {
            ok: boolean;
            errors: { message: string }[];
          }
        ).errors
          .map((e) => e.message)
          .join('\n');
      writeFileSync(file, config('v2', '192.0.2.1'));
      p.child.kill('SIGHUP');
      const errors = await eventually(async () => {
        const e = await reloadErrors();
        return e.includes('192.0.2.1') ? e : undefined;
      }, 10_000);
      assert.match(errors, /^bind 0 \(address 192\.0\.2\.1, port 0, from binds\[0\]\.address in /);
      writeFileSync(file, '# nothing yet\n');
      p.child.kill('SIGHUP');
      await eventually(
        async () => /config file is empty; keeping the previous config/.test(await reloadErrors()),
        10_000,
      );
      assert.equal(p.child.exitCode, null);
      assert.equal(await (await fetch(`http://127.0.0.1:${p.port}/`)).text(), 'v1');
    } finally {
      p.child.kill('SIGKILL');
    }
  });
});
