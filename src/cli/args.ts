import { parseArgs } from 'node:util';
import { LOG_LEVELS } from '../telemetry/logger.js';

export const HELP = `portcullis — an MCP gateway that authenticates every caller and authorizes every tool

Usage:
  portcullis [options]                      run the gateway (no options: the embedded quickstart demo)
  portcullis explain -f FILE --token T      what may this identity see and call? (T: a JWT or a file)
  portcullis test POLICY_TESTS.yaml         run policy test cases (no upstream needed); see docs/policy-tests.md

Options:
  -f, --file PATH        config file (YAML or JSON); "-" reads stdin. Reloaded on save.
  -c, --config STRING    the whole config given inline (YAML or JSON); not watched
      --validate-only    load and compile the config, print "Configuration is valid!" or every error
      --log-level LEVEL  trace|debug|info|warn|error (overrides config.logging.level)
      --workers N        run N gateway processes sharing the ports ("auto": one per core; default 1)
      --log-format FMT   json|text (overrides config.logging.format; default: text on a terminal, else json)
      --tool NAME        with explain: only this tool
      --reporter R       with test: tap (default) or junit
  -V                     print the version
      --version          print version and build information
  -h, --help             this help

Environment: ADMIN_ADDR, STATS_ADDR, READINESS_ADDR override config.adminAddr/statsAddr/readinessAddr.
Docs: docs/architecture.md, docs/configuration.md`;

export const EXPLAIN_HELP = `portcullis explain — what may this identity see and call?

Usage:
  portcullis explain -f FILE [--token T] [--tool NAME]

Connects to every target of every MCP route, lists its tools, prompts and resources, and asks the
route's rules about each one. T is a JWT or a file holding one; without it, the anonymous caller.

Output: one line per item: ALLOW/DENY, kind, the name clients see, the reason (the deciding rule as
rules[N], 0-based as in the config path); "rules see" gives the name and target the rules compare with
when they differ from the client's name. DOWN lines name targets that could not be listed.

Exit codes:
  0  every target listed
  1  the token is rejected (the gateway would answer 401; without --token: every MCP route
     refuses anonymous callers), or --tool names no tool
  2  usage error
  3  some targets are down (their items are missing)`;

export const TEST_HELP = `portcullis test — policy tests as code

Usage:
  portcullis test POLICY_TESTS.yaml [--reporter tap|junit]

Each case gives an identity (claims, or a token checked by the route's jwtAuth) and an item (tool,
prompt or resource, and its target), and the expected decision (allow/deny, optionally the deciding
rule). Evaluates the route's compiled rules directly: no upstream is started. See docs/policy-tests.md.

Exit codes: 0 all cases pass, 1 a case fails or the file is invalid, 2 usage error.`;

export interface CliArgs {
  readonly command: 'run' | 'explain' | 'test';
  /** `portcullis test FILE` */
  readonly testFile: string | undefined;
  readonly reporter: 'tap' | 'junit';
  readonly logFormat: 'json' | 'text' | undefined;
  readonly file: string | undefined;
  readonly config: string | undefined;
  readonly validateOnly: boolean;
  readonly logLevel: string | undefined;
  readonly workers: string | undefined;
  readonly token: string | undefined;
  readonly tool: string | undefined;
  readonly version: 'short' | 'long' | undefined;
  readonly help: boolean;
}

export class UsageError extends Error {}

export function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        file: { type: 'string', short: 'f' },
        config: { type: 'string', short: 'c' },
        'validate-only': { type: 'boolean' },
        'log-level': { type: 'string' },
        workers: { type: 'string' },
        'log-format': { type: 'string' },
        reporter: { type: 'string' },
        token: { type: 'string' },
        tool: { type: 'string' },
        V: { type: 'boolean', short: 'V' },
        version: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const [cmd, ...rest] = parsed.positionals;
  if (cmd !== undefined && cmd !== 'explain' && cmd !== 'test')
    throw new UsageError(`unknown command "${cmd}"`);
  const testFile = cmd === 'test' ? rest[0] : undefined;
  const extra = cmd === 'test' ? rest.slice(1) : rest;
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const logFormat = v['log-format'];
  if (logFormat !== undefined && logFormat !== 'json' && logFormat !== 'text')
    throw new UsageError('--log-format must be json or text');
  const reporter = v.reporter ?? 'tap';
  if (reporter !== 'tap' && reporter !== 'junit') throw new UsageError('--reporter must be tap or junit');
  const help = v.help ?? false;
  if (v.file !== undefined && v.config !== undefined) throw new UsageError('only one of --config or --file');
  const level = v['log-level'];
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level))
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  if (!help && cmd === 'explain' && v.file === undefined && v.config === undefined)
    throw new UsageError('explain needs a config: -f FILE or -c STRING');
  if (!help && cmd === 'test' && testFile === undefined)
    throw new UsageError('test needs a policy test file: portcullis test POLICY_TESTS.yaml');
  return {
    command: cmd === 'explain' ? 'explain' : cmd === 'test' ? 'test' : 'run',
    testFile,
    reporter,
    logFormat,
    file: v.file,
    config: v.config,
    validateOnly: v['validate-only'] ?? false,
    logLevel: v['log-level'],
    workers: v.workers,
    token: v.token,
    tool: v.tool,
    version: v.version ? 'long' : v.V ? 'short' : undefined,
    help,
  };
}
