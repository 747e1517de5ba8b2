/**
 * The rest of agentgateway's documented CEL library (its schema/cel-functions.md), beside
 * extensions.ts: `contains` on lists and maps, the IP/CIDR library (ip.ts), the namespaced helpers
 * (`base64.*`, `url.*`, `sha1/sha256/md5.encode`, `math.*`) and the legacy global forms
 * (`base64Encode`, `base64Decode`), `uuid()`, `coalesce(...)`, `fail()`, `flatten()`,
 * `unvalidatedJwtPayload()`, `s.stripPrefix/stripSuffix`.
 *
 * cel-js has no namespaced functions: each namespace is a constant of its own type, and its functions
 * are methods on that type (so `base64.encode("x")` type-checks and `base64.nope()` does not).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Environment } from '@marcbachmann/cel-js';
import { registerAgentgatewayFunctions } from './agentgateway-functions.js';
import { CelCidr, CelIp, cidr, containsCidr, containsIp, ip, ipPredicates, masked, parseIp } from './ip.js';
import { toCelValue } from './values.js';

class Base64Namespace {}
class UrlNamespace {}
class Sha1Namespace {}
class Sha256Namespace {}
class Md5Namespace {}
class MathNamespace {}

const NAMESPACES: readonly [string, string, new () => object][] = [
  ['base64', 'portcullis.nsbase64', Base64Namespace],
  ['url', 'portcullis.nsurl', UrlNamespace],
  ['sha1', 'portcullis.nssha1', Sha1Namespace],
  ['sha256', 'portcullis.nssha256', Sha256Namespace],
  ['md5', 'portcullis.nsmd5', Md5Namespace],
  ['math', 'portcullis.nsmath', MathNamespace],
];

/** CEL equality for `contains`: ints are bigint, doubles numbers; 1 == 1.0 as in cel-spec. */
function celEqual(a: unknown, b: unknown): boolean {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number'))
    return Number(a) === Number(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => celEqual(x, b[i]));
  if (
    a &&
    b &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    !(a instanceof Map) &&
    !(b instanceof Map)
  ) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => celEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

function listContains(list: readonly unknown[], v: unknown): boolean {
  return list.some((x) => celEqual(x, v));
}

function mapContains(m: unknown, key: unknown): boolean {
  if (m instanceof Map) return [...m.keys()].some((k) => celEqual(k, key));
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(m, key);
}

const bytesOf = (v: string | Uint8Array): Buffer =>
  typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v);
const digest = (algo: string) => (_ns: unknown, v: string | Uint8Array) =>
  createHash(algo).update(bytesOf(v)).digest('hex');

function base64Decode(s: string): Uint8Array {
  const t = s.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) throw new Error('base64 decode: invalid input');
  return new Uint8Array(Buffer.from(t, 'base64'));
}

/** RFC 3986 unreserved characters stay; everything else is percent-encoded. */
function urlEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function unvalidatedJwtPayload(token: string): unknown {
  const part = token.split('.')[1];
  if (!part) throw new Error('unvalidatedJwtPayload: not a JWT');
  return toCelValue(JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
}

function toNumber(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

function extreme(values: readonly unknown[], pick: 1 | -1): unknown {
  if (values.length === 0) throw new Error('math.greatest/least: no arguments');
  return values.reduce((best, v) => (pick * (toNumber(v) - toNumber(best)) > 0 ? v : best));
}

// ---- coalesce(a, b, ...) — the first expression that evaluates to a non-null value ----
interface Node {
  readonly op: string;
}
interface Runner {
  run(node: Node, scope: unknown): unknown;
}
interface Checker {
  check(node: Node, scope: unknown): unknown;
  getType(name: string): unknown;
}

function coalesceMacro({ args }: { readonly args: readonly Node[] }) {
  return {
    args,
    async: false,
    typeCheck(checker: Checker, m: { args: readonly Node[] }, scope: unknown): unknown {
      for (const a of m.args) checker.check(a, scope);
      return checker.getType('dyn');
    },
    evaluate(ev: Runner, m: { args: readonly Node[] }, scope: unknown): unknown {
      let sawNull = false;
      let lastError: unknown;
      for (const a of m.args) {
        try {
          const v = ev.run(a, scope);
          if (v !== null && v !== undefined) return v;
          sawNull = true;
        } catch (e) {
          lastError = e;
        }
      }
      if (sawNull) return null;
      throw lastError instanceof Error ? lastError : new Error('coalesce: every expression failed');
    },
  };
}

export function registerLibrary(env: Environment): Environment {
  for (const [name, type, ctor] of NAMESPACES) {
    env.registerType(type, { ctor, fields: {} });
    env.registerConstant(name, type, new ctor());
  }
  env.registerType('net.IP', { ctor: CelIp, fields: {} });
  env.registerType('net.CIDR', { ctor: CelCidr, fields: {} });
  env
    .registerFunction('list.contains(dyn): bool', listContains)
    .registerFunction('map.contains(dyn): bool', mapContains)
    // base64
    .registerFunction('portcullis.nsbase64.encode(string): string', (_n: unknown, s: string) =>
      bytesOf(s).toString('base64'),
    )
    .registerFunction('portcullis.nsbase64.encode(bytes): string', (_n: unknown, b: Uint8Array) =>
      bytesOf(b).toString('base64'),
    )
    .registerFunction('portcullis.nsbase64.decode(string): bytes', (_n: unknown, s: string) =>
      base64Decode(s),
    )
    .registerFunction('base64Encode(string): string', (s: string) => bytesOf(s).toString('base64'))
    .registerFunction('base64Encode(bytes): string', (b: Uint8Array) => bytesOf(b).toString('base64'))
    .registerFunction('base64Decode(string): bytes', base64Decode)
    // url
    .registerFunction('portcullis.nsurl.encode(string): string', (_n: unknown, s: string) => urlEncode(s))
    .registerFunction('portcullis.nsurl.decode(string): string', (_n: unknown, s: string) =>
      decodeURIComponent(s),
    )
    // hashes
    .registerFunction('portcullis.nssha1.encode(string): string', digest('sha1'))
    .registerFunction('portcullis.nssha1.encode(bytes): string', digest('sha1'))
    .registerFunction('portcullis.nssha256.encode(string): string', digest('sha256'))
    .registerFunction('portcullis.nssha256.encode(bytes): string', digest('sha256'))
    .registerFunction('portcullis.nsmd5.encode(string): string', digest('md5'))
    .registerFunction('portcullis.nsmd5.encode(bytes): string', digest('md5'))
    // misc
    .registerFunction('uuid(): string', () => randomUUID())
    .registerFunction('fail(): dyn', () => {
      throw new Error('fail() called');
    })
    .registerFunction('fail(string): dyn', (s: string) => {
      throw new Error(s);
    })
    .registerFunction('flatten(dyn): dyn', (v: unknown) => v)
    .registerFunction('flattenRecursive(dyn): dyn', (v: unknown) => v)
    .registerFunction('unvalidatedJwtPayload(string): dyn', unvalidatedJwtPayload)
    .registerFunction('string.stripPrefix(string): string', (s: string, p: string) =>
      s.startsWith(p) ? s.slice(p.length) : s,
    )
    .registerFunction('string.stripSuffix(string): string', (s: string, p: string) =>
      p !== '' && s.endsWith(p) ? s.slice(0, -p.length) : s,
    );
  for (let n = 1; n <= 6; n++) {
    const params = Array(n).fill('ast').join(', ');
    env.registerFunction(`coalesce(${params}): dyn`, coalesceMacro);
  }
  // math
  const math = 'portcullis.nsmath';
  for (let n = 1; n <= 6; n++) {
    const params = Array(n).fill('dyn').join(', ');
    env.registerFunction(`${math}.greatest(${params}): dyn`, (_m: unknown, ...v: unknown[]) =>
      extreme(n === 1 && Array.isArray(v[0]) ? (v[0] as unknown[]) : v, 1),
    );
    env.registerFunction(`${math}.least(${params}): dyn`, (_m: unknown, ...v: unknown[]) =>
      extreme(n === 1 && Array.isArray(v[0]) ? (v[0] as unknown[]) : v, -1),
    );
  }
  const dbl = (fn: (x: number) => number) => (_m: unknown, x: number) => fn(x);
  env
    .registerFunction(`${math}.ceil(double): double`, dbl(Math.ceil))
    .registerFunction(`${math}.floor(double): double`, dbl(Math.floor))
    .registerFunction(
      `${math}.round(double): double`,
      dbl((x) => Math.sign(x) * Math.round(Math.abs(x))),
    )
    .registerFunction(`${math}.trunc(double): double`, dbl(Math.trunc))
    .registerFunction(`${math}.sqrt(double): double`, dbl(Math.sqrt))
    .registerFunction(`${math}.sqrt(int): double`, (_m: unknown, x: bigint) => Math.sqrt(Number(x)))
    .registerFunction(`${math}.abs(double): double`, dbl(Math.abs))
    .registerFunction(`${math}.abs(int): int`, (_m: unknown, x: bigint) => (x < 0n ? -x : x))
    .registerFunction(`${math}.sign(double): double`, dbl(Math.sign))
    .registerFunction(`${math}.sign(int): int`, (_m: unknown, x: bigint) => (x > 0n ? 1n : x < 0n ? -1n : 0n))
    .registerFunction(`${math}.isInf(double): bool`, (_m: unknown, x: number) => Math.abs(x) === Infinity)
    .registerFunction(`${math}.isNaN(double): bool`, (_m: unknown, x: number) => Number.isNaN(x))
    .registerFunction(`${math}.isFinite(double): bool`, (_m: unknown, x: number) => Number.isFinite(x))
    .registerFunction(`${math}.bitAnd(int, int): int`, (_m: unknown, a: bigint, b: bigint) => a & b)
    .registerFunction(`${math}.bitOr(int, int): int`, (_m: unknown, a: bigint, b: bigint) => a | b)
    .registerFunction(`${math}.bitXor(int, int): int`, (_m: unknown, a: bigint, b: bigint) => a ^ b)
    .registerFunction(`${math}.bitNot(int): int`, (_m: unknown, a: bigint) => ~a)
    .registerFunction(`${math}.bitShiftLeft(int, int): int`, (_m: unknown, a: bigint, b: bigint) =>
      BigInt.asIntN(64, a << b),
    )
    .registerFunction(`${math}.bitShiftRight(int, int): int`, (_m: unknown, a: bigint, b: bigint) =>
      BigInt.asIntN(64, BigInt.asUintN(64, a) >> b),
    );
  // IP and CIDR (Kubernetes libraries)
  env
    .registerFunction('isIP(string): bool', (s: string) => parseIp(s) !== undefined)
    .registerFunction('ip(string): net.IP', ip)
    .registerFunction('string(net.IP): string', (a: CelIp) => a.text)
    .registerFunction('net.IP.family(): int', (a: CelIp) => BigInt(a.family))
    .registerFunction('cidr(string): net.CIDR', cidr)
    .registerFunction('string(net.CIDR): string', (c: CelCidr) => c.toString())
    .registerFunction('net.CIDR.containsIP(string): bool', containsIp)
    .registerFunction('net.CIDR.containsIP(net.IP): bool', containsIp)
    .registerFunction('net.CIDR.containsCIDR(string): bool', containsCidr)
    .registerFunction('net.CIDR.containsCIDR(net.CIDR): bool', containsCidr)
    .registerFunction('net.CIDR.ip(): net.IP', (c: CelCidr) => c.ip)
    .registerFunction('net.CIDR.masked(): net.CIDR', masked)
    .registerFunction('net.CIDR.prefixLength(): int', (c: CelCidr) => BigInt(c.prefix));
  for (const p of [
    'isUnspecified',
    'isLoopback',
    'isLinkLocalMulticast',
    'isLinkLocalUnicast',
    'isGlobalUnicast',
  ]) {
    env.registerFunction(`net.IP.${p}(): bool`, (a: CelIp) => ipPredicates(a)[p]!);
  }
  registerAgentgatewayFunctions(env);
  return env;
}
