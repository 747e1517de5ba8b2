/**
 * Apache's `$apr1$` password hash (MD5-crypt with the `$apr1$` magic), as `htpasswd -m` writes it:
 * 1000 rounds of MD5 over password, salt and the previous digest, then a crypt-style base-64.
 */
import { createHash } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MAGIC = '$apr1$';

const md5 = (...parts: (Buffer | string)[]): Buffer => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

function to64(v: number, n: number): string {
  let s = '';
  while (n-- > 0) {
    s += ITOA64[v & 0x3f];
    v >>>= 6;
  }
  return s;
}

/** The full `$apr1$<salt>$<hash>` string for `password` and `salt` (at most 8 characters used). */
export function apr1(password: string, salt: string): string {
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.split('$')[0]!.slice(0, 8), 'utf8');
  const ctx = createHash('md5');
  ctx.update(pw).update(MAGIC).update(s);
  const alt = md5(pw, s, pw);
  for (let left = pw.length; left > 0; left -= 16) ctx.update(alt.subarray(0, Math.min(left, 16)));
  for (let i = pw.length; i; i >>>= 1) ctx.update(i & 1 ? Buffer.from([0]) : pw.subarray(0, 1));
  let fin = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const c = createHash('md5');
    c.update(i & 1 ? pw : fin);
    if (i % 3) c.update(s);
    if (i % 7) c.update(pw);
    c.update(i & 1 ? fin : pw);
    fin = c.digest();
  }
  const b = fin;
  const out =
    to64((b[0]! << 16) | (b[6]! << 8) | b[12]!, 4) +
    to64((b[1]! << 16) | (b[7]! << 8) | b[13]!, 4) +
    to64((b[2]! << 16) | (b[8]! << 8) | b[14]!, 4) +
    to64((b[3]! << 16) | (b[9]! << 8) | b[15]!, 4) +
    to64((b[4]! << 16) | (b[10]! << 8) | b[5]!, 4) +
    to64(b[11]!, 2);
  return `${MAGIC}${s.toString('utf8')}$${out}`;
}
