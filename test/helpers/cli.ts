/** The real `portcullis` binary (bin/portcullis.js → dist/) in the background, its output captured. */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { eventually } from './gateway.js';

export async function launchCli(args: readonly string[]) {
  const child = spawn(process.execPath, [resolve('bin/portcullis.js'), ...args], {
    env: {
      ...process.env,
      ADMIN_ADDR: '127.0.0.1:0',
      STATS_ADDR: '127.0.0.1:0',
      READINESS_ADDR: '127.0.0.1:0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (c) => ok(c)));
  await eventually(() => /listening +http:\/\/\S+:\d+/.test(stderr) || child.exitCode !== null, 20_000);
  const port = Number(/listening +http:\/\/\S+:(\d+)/.exec(stderr)?.[1]);
  const admin = /admin UI +(\S+)\/ui\//.exec(stderr)?.[1] ?? '';
  return { child, port, admin, exited, stdout: () => stdout, stderr: () => stderr };
}
