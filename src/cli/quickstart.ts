/** The embedded default: the quickstart config and its demo tokens, shipped in the package. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DemoToken } from '../admin/api.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const QUICKSTART_CONFIG = `${ROOT}examples/quickstart/config.yaml`;
export const PACKAGE_ROOT = ROOT;

export function quickstartTokens(): DemoToken[] {
  const read = (name: string): string | undefined => {
    const p = `${ROOT}manifests/jwt/${name}`;
    return existsSync(p) ? readFileSync(p, 'utf8').trim() : undefined;
  };
  const out: DemoToken[] = [];
  const t1 = read('example1.key');
  const t2 = read('example2.key');
  if (t1) out.push({ name: 'example1', token: t1, description: 'sub=test-user, nested.key=value' });
  if (t2) out.push({ name: 'example2', token: t2, description: 'sub=test-user, no extra claims' });
  return out;
}
