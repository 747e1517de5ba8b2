/**
 * Runs late (the name sorts after every test folder): greps every log the suite's gateways wrote to
 * test-artifacts/logs/ (test/helpers/gateway.ts writes one file per booted gateway) for the demo
 * tokens in manifests/jwt/*.key and test/fixtures/seed-jwt/*.key, and for any JWT-shaped string at all
 * (the tokens tests sign on the fly with jose). A token in any log fails the suite.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOG_DIR = join(ROOT, 'test-artifacts', 'logs');
const TOKEN_DIRS = [join(ROOT, 'manifests', 'jwt'), join(ROOT, 'test', 'fixtures', 'seed-jwt')];

/** A signed JWT: base64url JSON header and payload (`eyJ…`), then a signature segment. */
const JWT_SHAPED = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** Each token, and its signature on its own (a log that cut the token would still leak that). */
function demoTokens(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of TOKEN_DIRS.flatMap(filesUnder).filter((f) => f.endsWith('.key'))) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const token = line.trim();
      if (token.length < 20) continue;
      out.set(token, file);
      const signature = token.split('.')[2];
      if (signature && signature.length >= 20) out.set(signature, `${file} (signature)`);
    }
  }
  return out;
}

it('no demo token, and no JWT at all, appears in any gateway log of the suite', (t) => {
  mkdirSync(LOG_DIR, { recursive: true });
  const logs = filesUnder(LOG_DIR);
  if (logs.length === 0) {
    assert.ok(
      !process.env.CI,
      `no gateway logs in ${LOG_DIR}: the gateway test helper must write them in CI`,
    );
    t.skip(`no gateway logs in ${LOG_DIR} yet (run the whole suite; the gateway test helper writes them)`);
    return;
  }
  const tokens = demoTokens();
  assert.ok(tokens.size > 0, `no demo tokens found in ${TOKEN_DIRS.join(', ')}`);
  const leaks: string[] = [];
  for (const log of logs) {
    const text = readFileSync(log, 'utf8');
    for (const [token, source] of tokens) {
      if (text.includes(token)) leaks.push(`${log} contains the token from ${source}`);
    }
    for (const m of text.matchAll(JWT_SHAPED)) leaks.push(`${log} contains a JWT: ${m[0].slice(0, 24)}…`);
  }
  assert.deepEqual(leaks, [], `tokens leaked into logs:\n${leaks.join('\n')}`);
});
