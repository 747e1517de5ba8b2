/** Shared helpers of the config tests: load from a string, catch ConfigError, compare snapshots. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../../src/config/errors.js';
import type { ConfigIssue } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import type { LoadedConfig } from '../../src/config/load.js';

/** Loads always run with the repository root as the working directory (tests never chdir). */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export interface LoadTextOptions {
  readonly env?: Record<string, string | undefined>;
  readonly name?: string;
  readonly cwd?: string;
  readonly baseDir?: string;
}

export function loadText(text: string, opts: LoadTextOptions = {}): LoadedConfig {
  return loadConfig(
    { text, name: opts.name ?? 'test.yaml', baseDir: opts.baseDir ?? REPO_ROOT },
    opts.env ?? {},
    { cwd: opts.cwd ?? REPO_ROOT },
  );
}

/** The ConfigError a load throws (fails the test when it loads). */
export function loadError(text: string, opts: LoadTextOptions = {}): ConfigError {
  try {
    loadText(text, opts);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail('expected the config to be rejected');
}

export function findIssue(err: ConfigError, path: string): ConfigIssue {
  const issue = err.issues.find((i) => i.path === path);
  assert.ok(issue, `no issue at ${path}; got:\n${err.message}`);
  return issue;
}

/**
 * Compares `actual` with the committed snapshot file; `UPDATE_SNAPSHOTS=1` (re)writes it instead.
 * A missing snapshot fails, so CI never passes on a snapshot nobody reviewed.
 */
export function matchSnapshot(file: string, actual: string): void {
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `missing snapshot ${file}: run with UPDATE_SNAPSHOTS=1 and review it`);
  assert.equal(
    actual,
    readFileSync(file, 'utf8'),
    `snapshot ${file} differs (UPDATE_SNAPSHOTS=1 if intended)`,
  );
}

/** Stable JSON of a load: machine-specific paths replaced, the config text left out. */
export function snapshotJson(loaded: LoadedConfig): string {
  const value = {
    config: loaded.config,
    warnings: loaded.build.warnings,
    dependencies: [...loaded.build.dependencies],
  };
  const json = JSON.stringify(value, (k, v: unknown) => (k === 'text' ? undefined : v), 2);
  return `${json.split(REPO_ROOT).join('<repo>')}\n`;
}
