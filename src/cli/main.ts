/** `portcullis` command line: run, --validate-only, explain, test. */
import { startPortcullis } from '../app/run.js';
import { issuesOf } from '../app/issues.js';
import { VERSION } from '../app/version.js';
import { loadConfig, readConfigInput, type ConfigInput } from '../config/load.js';
import { buildSnapshot } from '../runtime/build.js';
import { banner } from './banner.js';
import { EXPLAIN_HELP, HELP, parseCli, TEST_HELP, UsageError, type CliArgs } from './args.js';
import { runExplainCommand } from './explain-command.js';
import { runPolicyTests } from './policy-test-command.js';
import { validateConfig } from './validate.js';
import { PACKAGE_ROOT, QUICKSTART_CONFIG, quickstartTokens } from './quickstart.js';
import cluster from 'node:cluster';
import { runPrimary, workerCount, workerIndex } from './workers.js';

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

async function input(a: CliArgs): Promise<{ input: ConfigInput; quickstart: boolean }> {
  if (a.config !== undefined)
    return { input: await readConfigInput({ inline: a.config }), quickstart: false };
  if (a.file === '-') return { input: await readConfigInput({ stdin: true }), quickstart: false };
  if (a.file !== undefined) return { input: await readConfigInput({ file: a.file }), quickstart: false };
  return { input: await readConfigInput({ file: QUICKSTART_CONFIG }), quickstart: true };
}

function printIssues(e: unknown): void {
  for (const i of issuesOf(e)) err(`error: ${i.text}\n`);
}

async function run(a: CliArgs, i: ConfigInput, quickstart: boolean): Promise<void> {
  const workers = workerCount(a.workers);
  if (workers > 1 && cluster.isPrimary) {
    // Fail before forking: every worker would refuse the same config.
    const loaded = loadConfig(i, process.env);
    (await buildSnapshot(loaded, 0)).close();
    const st = loaded.config.static;
    err(`Portcullis: starting ${workers} workers (worker 0 serves the admin UI)\n`);
    return runPrimary({ workers, statsAddr: st.statsAddr, readinessAddr: st.readinessAddr, log: err });
  }
  const index = workerIndex();
  const demo = quickstart ? quickstartTokens() : [];
  const p = await startPortcullis({
    input: i,
    env: process.env,
    demoTokens: demo,
    ...(a.logLevel ? { logLevel: a.logLevel } : {}),
    ...(index !== undefined
      ? {
          clusterWorker: true,
          statsAddr: false,
          readinessAddr: false,
          ...(index > 0 ? { adminAddr: false } : {}),
        }
      : {}),
    ...(a.logFormat ? { logFormat: a.logFormat } : {}),
    onQuit: () => void shutdown('quitquitquit'),
  });
  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) {
      // A second signal: the operator does not want to wait for the drain.
      err(`\nPortcullis: ${why} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    err(`\nPortcullis: ${why}, draining and stopping…\n`);
    // Drain deadline plus time to answer what is left and end sessions; then exit regardless.
    const deadline = p.gateway.config.static.connectionTerminationDeadlineMs;
    const hard = setTimeout(() => process.exit(1), deadline + 10_000);
    hard.unref();
    try {
      await p.stop();
    } catch (e) {
      printIssues(e);
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => {
    if (p.watcher) p.watcher.trigger();
    else void p.gateway.reload();
  });
  if (!index) err(banner(p, { configName: i.file ?? i.name, watched: p.watcher !== undefined, demo }));
}

export async function main(argv: readonly string[]): Promise<void> {
  // The quickstart config names bundled files relative to the package: `${PORTCULLIS_ROOT}`.
  process.env.PORTCULLIS_ROOT ??= PACKAGE_ROOT.replace(/\/$/, '');
  let a: CliArgs;
  try {
    a = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`portcullis: ${e.message}\n\n${HELP}\n`);
      process.exit(2);
    }
    throw e;
  }
  if (a.help)
    return void out(
      (a.command === 'explain' ? EXPLAIN_HELP : a.command === 'test' ? TEST_HELP : HELP) + '\n',
    );
  if (a.command === 'test') process.exit(await runPolicyTests(a.testFile ?? '', a.reporter, out, err));
  if (a.version === 'short') return void out(`${VERSION}\n`);
  if (a.version === 'long')
    return void out(JSON.stringify({ name: 'portcullis', version: VERSION, node: process.version }) + '\n');
  let src;
  try {
    src = await input(a);
  } catch (e) {
    printIssues(e);
    process.exit(1);
  }
  if (a.validateOnly) process.exit(await validateConfig(src.input, process.env, out, err));
  if (a.command === 'explain') {
    try {
      process.exit(await runExplainCommand(src.input, { token: a.token, tool: a.tool }, out, err));
    } catch (e) {
      printIssues(e);
      process.exit(1);
    }
  }
  try {
    await run(a, src.input, src.quickstart);
  } catch (e) {
    printIssues(e);
    process.exit(1);
  }
}
