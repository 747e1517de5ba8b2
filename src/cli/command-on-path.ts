/**
 * Whether a stdio target's `cmd` can be started, checked the way `spawn` looks it up: a name with a
 * `/` is a path (relative to the working directory), any other name is searched on PATH. Used by
 * `--validate-only`, so `cmd: nodee` fails before the first client does.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

function executable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** undefined when `cmd` can be started; otherwise why not. */
export function commandProblem(cmd: string, path: string | undefined, cwd: string): string | undefined {
  if (cmd.includes('/')) {
    const file = isAbsolute(cmd) ? cmd : resolve(cwd, cmd);
    return executable(file) ? undefined : `command "${cmd}" is not an executable file (${file})`;
  }
  const dirs = (path ?? '').split(delimiter).filter(Boolean);
  if (dirs.some((d) => executable(join(d, cmd)))) return undefined;
  return `command "${cmd}" is not found on PATH (${dirs.length} folders searched); install it or give its full path`;
}
