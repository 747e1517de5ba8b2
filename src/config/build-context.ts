/**
 * The BuildContext handed to normalization and to every policy compiler (contract:
 * src/contracts/build-context.ts — restated here structurally because config/ may not import runtime/).
 * Files named in the config resolve against the working directory first (agentgateway's rule), then
 * against the config file's folder; every file read is recorded for the reload watcher.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Document } from 'yaml';
import { ConfigError } from './errors.js';
import type { ConfigIssue } from './errors.js';
import { offsetOf } from './locate.js';
import type { SourcePositions } from './locate.js';
import { formatPath } from './path.js';
import type { ConfigPath } from './types.js';

export interface ConfigBuildContext {
  /** Read a file named in the config (CWD first, then the config's folder). Throws a located ConfigError. */
  readFile(path: string, at: ConfigPath): string;
  /** Absolute path of an existing file named in the config (same rule as readFile); recorded as a dependency. */
  resolvePath(path: string, at: ConfigPath): string;
  /** A ConfigError located at `at` (file, line, column, field path) with `message`. Throw it. */
  error(at: ConfigPath, message: string): ConfigError;
  /** `file:line:col` of a config path. */
  locate(at: ConfigPath): string;
  /** Record a warning, logged after a successful load. */
  warn(at: ConfigPath, message: string): void;
  /** The located issue for `at` (used to collect many errors into one ConfigError). */
  issue(at: ConfigPath, message: string, atKey?: boolean): ConfigIssue;
  /** Absolute paths of every file read, for the reload watcher. */
  readonly dependencies: Set<string>;
  readonly warnings: string[];
}

export interface BuildContextOptions {
  /** Display name of the config source. */
  readonly name: string;
  /** Folder of the config file (the second place relative paths are looked up). */
  readonly baseDir: string;
  /** The working directory (the first place relative paths are looked up). */
  readonly cwd: string;
  /** The parsed document and position map; absent for configs that did not come from text. */
  readonly doc?: Document;
  readonly positions?: SourcePositions;
}

export function createBuildContext(opts: BuildContextOptions): ConfigBuildContext {
  const dependencies = new Set<string>();
  const warnings: string[] = [];

  const issue = (at: ConfigPath, message: string, atKey = false): ConfigIssue => {
    if (!opts.doc || !opts.positions)
      return { file: opts.name, line: 0, column: 0, path: formatPath(at), message };
    const { line, column } = opts.positions.ofParsed(offsetOf(opts.doc, at, atKey));
    return { file: opts.name, line, column, path: formatPath(at), message };
  };
  const error = (at: ConfigPath, message: string): ConfigError => new ConfigError([issue(at, message)]);
  const locate = (at: ConfigPath): string => {
    const i = issue(at, '');
    return i.line > 0 ? `${i.file}:${i.line}:${i.column}` : i.file;
  };

  const resolvePath = (path: string, at: ConfigPath): string => {
    const candidates = isAbsolute(path)
      ? [path]
      : [...new Set([resolve(opts.cwd, path), resolve(opts.baseDir, path)])];
    for (const c of candidates) {
      let st;
      try {
        st = statSync(c);
      } catch {
        continue;
      }
      if (!st.isFile()) throw error(at, `${path} is not a file (${c})`);
      dependencies.add(c);
      return c;
    }
    throw error(at, `file not found: ${path} (tried ${candidates.join(' and ')})`);
  };

  return {
    dependencies,
    warnings,
    issue,
    error,
    locate,
    resolvePath,
    readFile(path, at) {
      const abs = resolvePath(path, at);
      try {
        return readFileSync(abs, 'utf8');
      } catch (e) {
        throw error(at, `cannot read ${abs}: ${(e as Error).message}`);
      }
    },
    warn(at, message) {
      const path = formatPath(at);
      warnings.push(path ? `${locate(at)}: ${path}: ${message}` : `${locate(at)}: ${message}`);
    },
  };
}
