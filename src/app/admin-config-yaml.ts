/**
 * The admin API's YAML view of the config file: read it with secrets redacted in place, validate an edited
 * text (errors cite the edited text's lines), and apply it through the same path as `POST /config`:
 * validated like a reload, then written and applied by the gateway's one reload path (the file gets its
 * previous text back when it does not apply).
 */
import { redactYamlText, restoreYamlSecrets } from '../admin/config-yaml.js';
import { AdminError } from '../admin/types.js';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { BuildError, buildSnapshot } from '../runtime/build.js';
import { issuesOf } from './issues.js';
import type { Gateway } from './gateway.js';

export function configYaml(gw: Gateway): string {
  const input = gw.configInput;
  if (!input.file)
    throw new AdminError(404, 'the config did not come from a file (started with -c or stdin)');
  try {
    return redactYamlText(input.text);
  } catch {
    throw new AdminError(409, 'the config file does not parse as YAML; fix it on disk');
  }
}

export async function writeConfigYaml(
  gw: Gateway,
  env: Readonly<Record<string, string | undefined>>,
  edited: string,
  opts: { readonly dryRun: boolean; readonly check?: (next: Gateway['config']) => void },
): Promise<void> {
  const input = gw.configInput;
  if (!input.file) throw new AdminError(409, 'the config did not come from a file: nothing to write');
  const text = restoreYamlSecrets(edited, input.text);
  const next = await validateConfigText(input, env, text);
  opts.check?.(next);
  if (opts.dryRun) return;
  const status = await gw.applyText(text);
  if (!status.ok)
    throw new AdminError(409, `config not applied: ${status.errors.map((e) => e.text).join('; ')}`);
  gw.deps.logger.info({ file: input.file }, 'config written from the admin UI and applied');
}

/**
 * Full validation of a config text, the same as a reload: parse, normalize and compile (CEL, JWKS, TLS).
 * Throws a `ConfigError` whose issues are located in `text` — compile errors included, so the admin
 * API answers them as 400 with their lines, not as a 500. Returns the normalized config it validated.
 */
export async function validateConfigText(
  input: Gateway['configInput'],
  env: Readonly<Record<string, string | undefined>>,
  text: string,
): Promise<Gateway['config']> {
  const loaded = loadConfig({ ...input, text }, env);
  try {
    (await buildSnapshot(loaded, 0)).close();
  } catch (e) {
    // Compile errors (CEL, JWKS, TLS) are located too: answer them as issues at their lines.
    if (!(e instanceof BuildError)) throw e;
    throw new ConfigError(
      issuesOf(e).map((i) => ({
        file: i.file ?? input.file ?? '',
        line: i.line ?? 0,
        column: i.column ?? 0,
        path: i.path ?? '',
        message: i.message,
      })),
    );
  }
  return loaded.config;
}
