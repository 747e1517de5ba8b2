/**
 * Config loading, in order: env expansion → YAML parse (node ranges kept) → schema validation →
 * normalization → deep freeze. Every stage reports ALL its problems, each located at
 * file:line:col with the path to the field; a stage with problems stops the load (`loadConfigStaged`
 * returns what was parsed before it, for `--validate-only`).
 */
import { parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { createBuildContext } from './build-context.js';
import type { ConfigBuildContext } from './build-context.js';
import { expandEnv } from './env.js';
import { ConfigError } from './errors.js';
import type { ConfigIssue, PendingIssue } from './errors.js';
import { deepFreeze } from './freeze.js';
import { pathAtOffset, SourcePositions } from './locate.js';
import { normalize } from './normalize.js';
import type { ConfigInput } from './read-input.js';
import { rootConfig } from './schema/index.js';
import { formatPath } from './path.js';
import type { NormalizedConfig } from './types.js';
import { convertIssues } from './zod-issues.js';

export { readConfigInput } from './read-input.js';
export type { ConfigInput, ConfigInputOptions } from './read-input.js';

export interface LoadedConfig {
  readonly config: NormalizedConfig;
  readonly build: ConfigBuildContext;
  /** The parsed YAML document (of the env-expanded text). */
  readonly document: Document;
}

export interface LoadOptions {
  /** Where relative paths are looked up first (default process.cwd()). */
  readonly cwd?: string;
}

/**
 * Where a load stopped, with what was parsed so far: `--validate-only` keeps checking the parts that
 * did parse (CEL rules, files, commands) past a schema error, so one run reports everything.
 */
export interface LoadFailure {
  readonly error: ConfigError;
  readonly stage: 'env' | 'yaml' | 'schema' | 'normalize';
  /** The parsed document as plain data and a context to locate and read files (schema/normalize stages). */
  readonly data?: unknown;
  readonly build?: ConfigBuildContext;
}

export function loadConfig(
  input: ConfigInput,
  env: Readonly<Record<string, string | undefined>>,
  opts: LoadOptions = {},
): LoadedConfig {
  const r = loadConfigStaged(input, env, opts);
  if ('error' in r) throw r.error;
  return r;
}

/** loadConfig without the throw: the loaded config, or the failure and what was parsed before it. */
export function loadConfigStaged(
  input: ConfigInput,
  env: Readonly<Record<string, string | undefined>>,
  opts: LoadOptions = {},
): LoadedConfig | LoadFailure {
  const cwd = opts.cwd ?? process.cwd();

  // 1. Environment expansion.
  const expanded = expandEnv(input.text, env);
  const positions = new SourcePositions(input.text, expanded.toOriginal);
  const doc = parseDocument(expanded.text, { prettyErrors: false, uniqueKeys: true });
  if (expanded.errors.length > 0) {
    return {
      stage: 'env',
      error: new ConfigError(
        expanded.errors.map((e) => {
          const { line, column } = positions.ofOriginal(e.offset);
          const path = doc.errors.length === 0 ? formatPath(pathAtOffset(doc, e.parsedOffset)) : '';
          return { file: input.name, line, column, path, message: e.message };
        }),
      ),
    };
  }

  // 2. YAML syntax.
  if (doc.errors.length > 0) {
    return {
      stage: 'yaml',
      error: new ConfigError(
        doc.errors.map((e) => {
          const { line, column } = positions.ofParsed(e.pos[0]);
          return { file: input.name, line, column, path: '', message: `YAML syntax error: ${e.message}` };
        }),
      ),
    };
  }
  const ctx = createBuildContext({ name: input.name, baseDir: input.baseDir, cwd, doc, positions });
  for (const w of doc.warnings) ctx.warnings.push(`${input.name}: YAML: ${w.message}`);

  // 3. Schema. An empty document is an empty config.
  const data: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  const parsed = rootConfig.safeParse(data);
  if (!parsed.success) {
    const pending = convertIssues(parsed.error.issues, rootConfig, data);
    return {
      stage: 'schema',
      error: new ConfigError(dedupe(pending.map((p) => locate(ctx, p)))),
      data,
      build: ctx,
    };
  }

  // 4. Normalization and the checks the schema cannot express.
  const source = { file: input.file, name: input.name, baseDir: input.baseDir, text: input.text };
  const { config, issues } = normalize(parsed.data, source, env, ctx);
  if (issues.length > 0)
    return { stage: 'normalize', error: new ConfigError(dedupe(issues)), data, build: ctx };

  return { config: deepFreeze(config), build: ctx, document: doc };
}

function locate(ctx: ConfigBuildContext, p: PendingIssue): ConfigIssue {
  return ctx.issue(p.path, p.message, p.atKey ?? false);
}

export function dedupe(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues
    .filter((i) => {
      const k = `${i.line}:${i.column}:${i.path}:${i.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}
