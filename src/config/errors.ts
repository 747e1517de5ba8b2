/**
 * Config errors: every problem names the file, line, column and the path to the field, so a person can
 * act on it. A load reports ALL problems at once (one `ConfigError` holding every issue).
 */
import type { ConfigPath } from './types.js';
import { formatPath } from './path.js';

export interface ConfigIssue {
  /** Display name of the config source (file path as given, `<inline>` or `<stdin>`). */
  readonly file: string;
  /** 1-based; 0 when the problem has no position (e.g. the file could not be read). */
  readonly line: number;
  /** 1-based; 0 when unknown. */
  readonly column: number;
  /** Field path such as `binds[0].listeners[0].routes[0].policies.jwtAuth.jwks`; '' for the document. */
  readonly path: string;
  readonly message: string;
}

/** `<file>:<line>:<col>: <path>: <message>` (position and path omitted when unknown). */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError;
}

/** An issue before it is located: the path into the document plus how to point at it. */
export interface PendingIssue {
  readonly path: ConfigPath;
  readonly message: string;
  /** Point at the key of the last path segment rather than its value (unknown keys). */
  readonly atKey?: boolean;
  /** For an unknown key: the path of the key it probably meant (its "missing" error is redundant). */
  readonly meant?: ConfigPath;
}

export { formatPath };
