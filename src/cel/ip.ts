/**
 * The Kubernetes IP and CIDR CEL libraries agentgateway documents: `ip("…")`, `isIP("…")`,
 * `cidr("…")` and their methods. Addresses are kept as bigint so IPv4 and IPv6 share one code path.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { canonicalAddress } from '../net/peer-address.js';

export class CelIp {
  constructor(
    readonly family: 4 | 6,
    readonly value: bigint,
    readonly text: string,
  ) {}
  toString(): string {
    return this.text;
  }
}

export class CelCidr {
  constructor(
    readonly ip: CelIp,
    readonly prefix: number,
  ) {}
  get bits(): number {
    return this.ip.family === 4 ? 32 : 128;
  }
  mask(): bigint {
    const host = BigInt(this.bits - this.prefix);
    return ((1n << BigInt(this.bits)) - 1n) ^ ((1n << host) - 1n);
  }
  toString(): string {
    return `${this.ip.text}/${this.prefix}`;
  }
}

function v4(text: string): bigint {
  return text.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function v6(text: string): bigint {
  let t = text;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (tail) {
    const n = v4(tail[1]!);
    t = `${t.slice(0, -tail[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, rest] = t.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const r = rest ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array(8 - h.length - r.length).fill('0'), ...r];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function format(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  );
  // The longest run of zero groups (length ≥ 2) becomes `::` (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best === -1) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** An address, or undefined when `text` is not one (zones and IPv4-mapped forms are not addresses here). */
export function parseIp(text: string): CelIp | undefined {
  if (isIPv4(text)) return new CelIp(4, v4(text), text);
  if (isIPv6(text) && !text.includes('%')) {
    const value = v6(text);
    return new CelIp(6, value, format(6, value));
  }
  return undefined;
}

export function ip(text: string): CelIp {
  const p = parseIp(text);
  if (!p) throw new Error(`IP Address '${text}' parse error`);
  return p;
}

export function cidr(text: string): CelCidr {
  const m = /^(.+)\/(\d{1,3})$/.exec(text);
  const addr = m ? parseIp(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (!addr || prefix > (addr.family === 4 ? 32 : 128))
    throw new Error(`network address parse error: ${text}`);
  return new CelCidr(addr, prefix);
}

export function containsIp(c: CelCidr, target: CelIp | string): boolean {
  const t = typeof target === 'string' ? parseIp(canonicalAddress(target)) : target;
  if (!t || t.family !== c.ip.family) return false;
  const mask = c.mask();
  return (t.value & mask) === (c.ip.value & mask);
}

export function containsCidr(c: CelCidr, other: CelCidr | string): boolean {
  const o = typeof other === 'string' ? cidr(other) : other;
  return o.ip.family === c.ip.family && o.prefix >= c.prefix && containsIp(c, o.ip);
}

export function masked(c: CelCidr): CelCidr {
  const value = c.ip.value & c.mask();
  return new CelCidr(new CelIp(c.ip.family, value, format(c.ip.family, value)), c.prefix);
}

export function ipPredicates(a: CelIp): Record<string, boolean> {
  const v = a.value;
  if (a.family === 4) {
    const first = Number(v >> 24n);
    return {
      isUnspecified: v === 0n,
      isLoopback: first === 127,
      isLinkLocalMulticast: v >> 8n === 0xe00000n,
      isLinkLocalUnicast: v >> 16n === 0xa9fen,
      isGlobalUnicast:
        v !== 0n &&
        first !== 127 &&
        v !== 0xffffffffn &&
        !(first >= 224 && first <= 239) &&
        v >> 16n !== 0xa9fen,
    };
  }
  return {
    isUnspecified: v === 0n,
    isLoopback: v === 1n,
    isLinkLocalMulticast: v >> 112n === 0xff02n,
    isLinkLocalUnicast: v >> 118n === 0x3fan,
    isGlobalUnicast: v !== 0n && v !== 1n && v >> 120n !== 0xffn && v >> 118n !== 0x3fan,
  };
}
