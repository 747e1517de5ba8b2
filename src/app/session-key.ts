/** `PORTCULLIS_SESSION_KEY` / `PORTCULLIS_SESSION_KEY_FILE` → the key ring that seals session ids (docs/deploy.md). */
import type { Logger } from 'pino';
import { SessionKeyring } from '../mcp/session/session-token.js';

/** Set by the `--workers` primary when it made up the workers' key (src/cli/workers.ts). */
const EPHEMERAL_KEY_ENV = 'PORTCULLIS_SESSION_KEY_EPHEMERAL';

export function sessionKeyringFrom(
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): SessionKeyring {
  const ring = SessionKeyring.fromSource({
    keys: env['PORTCULLIS_SESSION_KEY'],
    keyFile: env['PORTCULLIS_SESSION_KEY_FILE'],
  });
  if (ring && !env[EPHEMERAL_KEY_ENV]) return ring;
  // Once per process; with --workers only worker 0 says it (its siblings share the same made-up key).
  if (env['PORTCULLIS_WORKER_INDEX'] === undefined || env['PORTCULLIS_WORKER_INDEX'] === '0')
    logger.warn(
      'PORTCULLIS_SESSION_KEY is not set: session ids are sealed with a random key of this run, so other ' +
        'replicas cannot continue its sessions (docs/deploy.md)',
    );
  return ring ?? SessionKeyring.ephemeral();
}
