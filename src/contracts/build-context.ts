import type { ConfigPath } from '../config/types.js';

/**
 * Handed to every policy compiler at config load (compile at load). Policies read files and
 * report errors only through it, so every error names file:line:col and the field path, and every file
 * read is watched for reload.
 */
export interface BuildContext {
  /** Read a file named in the config: relative paths resolve against CWD first, then the config's folder. */
  readFile(path: string, at: ConfigPath): string;
  /** An Error located at `at` (file, line, column, field path) with `message`. Throw it. */
  error(at: ConfigPath, message: string): Error;
  /** `file:line:col` of a config path, for warnings. */
  locate(at: ConfigPath): string;
  /** Warnings collected during the build (logged after a successful load). */
  warn(at: ConfigPath, message: string): void;
}
