/**
 * An htpasswd user database: `user:hash` lines. Hash formats: bcrypt (`$2y$`, `$2a$`, `$2b$`, via
 * bcryptjs — a kept, dependency-free implementation), `{SHA}` (base-64 SHA-1) and `$apr1$` (MD5-crypt,
 * ./apr1.ts). Anything else (DES crypt, plain text) is refused at load: it cannot be verified safely.
 * Comparisons are constant-time; an unknown user is checked against a dummy bcrypt hash so the answer
 * takes as long as for a known one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { apr1 } from './apr1.js';

type Verifier = (password: string) => Promise<boolean>;

/** bcrypt("not-a-password", cost 10): spends a known user's time on unknown ones. */
const DUMMY_BCRYPT = '$2b$10$7spDN.D6wApFtkgynXtcreCNlc2ksi2uI0F6Qn8mAVH.DOceUhV32';

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

function verifierFor(hash: string): Verifier | string {
  if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) {
    // bcryptjs knows $2a$/$2b$; $2y$ (PHP/htpasswd) is the same algorithm.
    const h = hash.replace(/^\$2y\$/, '$2b$');
    return (pw) => bcrypt.compare(pw, h);
  }
  if (hash.startsWith('{SHA}')) {
    const want = hash.slice(5);
    return async (pw) => same(createHash('sha1').update(pw, 'utf8').digest('base64'), want);
  }
  const m = /^\$apr1\$([^$]{0,8})\$[./0-9A-Za-z]{22}$/.exec(hash);
  if (m) return async (pw) => same(apr1(pw, m[1]!), hash);
  return 'unsupported hash (use bcrypt $2y$, {SHA} or $apr1$)';
}

export interface Htpasswd {
  check(user: string, password: string): Promise<boolean>;
  readonly size: number;
}

/** Parse; returns the problems (line number + message) instead of throwing one at a time. */
export function parseHtpasswd(text: string): { db: Htpasswd; problems: string[] } {
  const users = new Map<string, Verifier>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) return void problems.push(`line ${i + 1}: expected "user:hash"`);
    const user = line.slice(0, colon);
    const v = verifierFor(line.slice(colon + 1));
    if (typeof v === 'string') return void problems.push(`line ${i + 1} (user "${user}"): ${v}`);
    if (users.has(user)) return void problems.push(`line ${i + 1}: duplicate user "${user}"`);
    users.set(user, v);
  });
  return {
    problems,
    db: {
      size: users.size,
      async check(user, password) {
        const v = users.get(user);
        if (!v) {
          await bcrypt.compare(password, DUMMY_BCRYPT).catch(() => false);
          return false;
        }
        return v(password);
      },
    },
  };
}
