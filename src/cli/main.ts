/** `portcullis` command line: run, --validate-only, explain. */
import { existsSync, readFileSync } from 'node:fs';
import { pino } from 'pino';
import { startPortcullis } from '../app/run.js';
import { explain } from '../app/explain.js';
import { issuesOf } from '../app/issues.js';
import { VERSION } from '../app/version.js';
import { loadConfig, readConfigInput, type ConfigInput } from '../config/load.js';
import { createUpstreamFactory } from '../mcp/upstream/factory.js';
import { buildSnapshot } from '../runtime/build.js';
import { NOOP_TELEMETRY } from '../telemetry/hooks.js';
import { banner } from './banner.js';
import { HELP, parseCli, UsageError, type CliArgs } from './args.js';
import { PACKAGE_ROOT, QUICKSTART_CONFIG, quickstartTokens } from './quickstart.js';

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

async function validate(i: ConfigInput): Promise<number> {
  try {
    const snap = await buildSnapshot(loadConfig(i, process.env), 0);
    snap.close();
    // Fields accepted but not applied, an unreachable JWKS, …: valid, but worth reading.
    for (const w of snap.warnings) err(`warning: ${w}\n`);
    out('Configuration is valid!\n');
    return 0;
  } catch (e) {
    printIssues(e);
    return 1;
  }
}

async function runExplain(a: CliArgs, i: ConfigInput): Promise<number> {
  const token = a.token && existsSync(a.token) ? readFileSync(a.token, 'utf8').trim() : a.token;
  const logger = pino({ level: 'warn' }, process.stderr);
  const snap = await buildSnapshot(loadConfig(i, process.env), 0);
  const factory = createUpstreamFactory({ telemetry: NOOP_TELEMETRY });
  try {
    const r = await explain(snap, factory, logger, token, a.tool ? { tool: a.tool } : {});
    if (r.identity.error)
      out(`token rejected: ${r.identity.error} (showing what an anonymous caller may do)\n`);
    else if (r.identity.claims) out(`identity: ${JSON.stringify(r.identity.claims)}\n`);
    else out('identity: anonymous (no token)\n');
    for (const it of r.items) {
      const verdict = it.allowed ? 'ALLOW' : 'DENY ';
      out(`${verdict} ${it.kind.padEnd(8)} ${it.exposedName.padEnd(32)} ${it.reason}\n`);
    }
    for (const t of r.targetErrors ?? []) out(`ERROR   target ${t.target} (${t.route}): ${t.message}\n`);
    return r.targetErrors?.length ? 2 : 0;
  } finally {
    snap.close();
    await factory.close();
  }
}

async function run(a: CliArgs, i: ConfigInput, quickstart: boolean): Promise<void> {
  const demo = quickstart ? quickstartTokens() : [];
  const p = await startPortcullis({
    input: i,
    env: process.env,
    demoTokens: demo,
    ...(a.logLevel ? { logLevel: a.logLevel } : {}),
    onQuit: () => void shutdown('quitquitquit'),
  });
  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    err(`\nPortcullis: ${why}, draining and stopping…\n`);
    const hard = setTimeout(() => process.exit(1), 30_000);
    hard.unref();
    await p.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => {
    if (p.watcher) p.watcher.trigger();
    else void p.gateway.reload();
  });
  err(banner(p, { configName: i.file ?? i.name, watched: p.watcher !== undefined, demo }));
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
  if (a.help) return void out(HELP + '\n');
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
  if (a.validateOnly) process.exit(await validate(src.input));
  if (a.command === 'explain') process.exit(await runExplain(a, src.input));
  try {
    await run(a, src.input, src.quickstart);
  } catch (e) {
    printIssues(e);
    process.exit(1);
  }
}
