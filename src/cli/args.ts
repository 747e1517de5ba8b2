import { parseArgs } from 'node:util';
import { LOG_LEVELS } from '../telemetry/logger.js';

export const HELP = `portcullis — an MCP gateway that authenticates every caller and authorizes every tool

Usage:
  portcullis [options]                      run the gateway (no options: the embedded quickstart demo)
  portcullis explain -f FILE --token T      what may this identity see and call? (T: a JWT or a file)

Options:
  -f, --file PATH        config file (YAML or JSON); "-" reads stdin. Reloaded on save.
  -c, --config STRING    the whole config given inline (YAML or JSON); not watched
      --validate-only    load and compile the config, print "Configuration is valid!" or every error
      --log-level LEVEL  trace|debug|info|warn|error (overrides config.logging.level)
      --tool NAME        with explain: only this tool
  -V                     print the version
      --version          print version and build information
  -h, --help             this help

Environment: ADMIN_ADDR, STATS_ADDR, READINESS_ADDR override config.adminAddr/statsAddr/readinessAddr.
PORTCULLIS_ADMIN_TOKEN or PORTCULLIS_ADMIN_TOKEN_FILE: the admin API's bearer token (required beyond loopback).
Docs: docs/architecture.md, docs/configuration.md`;

export interface CliArgs {
  readonly command: 'run' | 'explain';
  readonly file: string | undefined;
  readonly config: string | undefined;
  readonly validateOnly: boolean;
  readonly logLevel: string | undefined;
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
  const [cmd, ...extra] = parsed.positionals;
  if (cmd !== undefined && cmd !== 'explain') throw new UsageError(`unknown command "${cmd}"`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (v.file !== undefined && v.config !== undefined) throw new UsageError('only one of --config or --file');
  const level = v['log-level'];
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level))
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  if (cmd === 'explain' && v.file === undefined && v.config === undefined)
    throw new UsageError('explain needs a config: -f FILE or -c STRING');
  return {
    command: cmd === 'explain' ? 'explain' : 'run',
    file: v.file,
    config: v.config,
    validateOnly: v['validate-only'] ?? false,
    logLevel: v['log-level'],
    token: v.token,
    tool: v.tool,
    version: v.version ? 'long' : v.V ? 'short' : undefined,
    help: v.help ?? false,
  };
}
