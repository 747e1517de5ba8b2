/**
 * Where the config text comes from: `-f FILE` (YAML or JSON — JSON is YAML), `-f -` (stdin) or
 * `-c STRING` (inline, a full config). Relative paths inside resolve against the working directory,
 * then `baseDir` (the file's folder; the working directory for stdin and inline).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { ConfigError } from './errors.js';

export interface ConfigInput {
  readonly text: string;
  /** Display name for messages: the path as given, `<stdin>` or `<inline>`. */
  readonly name: string;
  /** Absolute path of the file; undefined for stdin and inline config. */
  readonly file?: string;
  readonly baseDir: string;
}

export interface ConfigInputOptions {
  readonly file?: string;
  readonly inline?: string;
  readonly stdin?: boolean;
  /** Stream read for `-f -` / `stdin: true` (default process.stdin). */
  readonly stdinStream?: Readable;
  /** Default process.cwd(). */
  readonly cwd?: string;
}

export async function readConfigInput(opts: ConfigInputOptions): Promise<ConfigInput> {
  const cwd = opts.cwd ?? process.cwd();
  const fromStdin = opts.stdin === true || opts.file === '-';
  const sources = [opts.file !== undefined && opts.file !== '-', opts.inline !== undefined, fromStdin].filter(
    Boolean,
  );
  if (sources.length > 1) throw new Error('only one of --config or --file');
  if (opts.inline !== undefined) return { text: stripBom(opts.inline), name: '<inline>', baseDir: cwd };
  if (fromStdin) {
    return {
      text: stripBom(await readAll(opts.stdinStream ?? process.stdin)),
      name: '<stdin>',
      baseDir: cwd,
    };
  }
  if (opts.file === undefined) throw new Error('no config given: pass --file or --config');
  const file = resolve(cwd, opts.file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `no such file (${file})` : (e as Error).message;
    throw new ConfigError([
      { file: opts.file, line: 0, column: 0, path: '', message: `cannot read config: ${why}` },
    ]);
  }
  return { text: stripBom(text), name: opts.file, file, baseDir: dirname(file) };
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
