/**
 * Origin parsing and matching for CORS. An origin is `scheme://host[:port]` (RFC 6454 serialisation):
 * http or https only, no userinfo, no path, port 1–65535. Default ports are normalised (80 for http,
 * 443 for https), hosts compared case-insensitively. Anything else — `null`, a path, port 0,
 * `file:`/`chrome-extension:` — is invalid and never matches, not even `*`.
 */

export interface ParsedOrigin {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
}

const DEFAULT_PORT = { http: 80, https: 443 } as const;
const SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)$/;
const HOSTNAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/**
 * Split an origin into parts; `allowGlob` lets the host contain `*` (config patterns only).
 * Returns a reason string when invalid.
 */
export function parseOrigin(raw: string, allowGlob = false): ParsedOrigin | string {
  const m = SHAPE.exec(raw);
  if (!m) return 'an origin is scheme://host[:port], without path, query or fragment';
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return `scheme "${scheme}" is not http or https`;
  const authority = m[2]!;
  if (authority.includes('@')) return 'an origin has no userinfo';
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end < 0) return 'unterminated IPv6 address';
    host = authority.slice(0, end + 1);
    const rest = authority.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) return 'unexpected text after the IPv6 address';
    if (rest !== '') portText = rest.slice(1);
  } else {
    const colon = authority.lastIndexOf(':');
    host = colon < 0 ? authority : authority.slice(0, colon);
    if (colon >= 0) portText = authority.slice(colon + 1);
  }
  host = host.toLowerCase();
  const hostOk = IPV6.test(host) || HOSTNAME.test(allowGlob ? host.replaceAll('*', 'x') : host);
  if (!hostOk) return `"${host}" is not a valid host`;
  let port: number = DEFAULT_PORT[scheme];
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return `"${portText}" is not a valid port`;
    port = Number(portText);
    if (port < 1 || port > 65535) return `port ${port} is out of range`;
  }
  return { scheme, host, port };
}

/** The normalised form used for exact comparison: always with an explicit port. */
export function originKey(o: ParsedOrigin): string {
  return `${o.scheme}://${o.host}:${o.port}`;
}

interface GlobPattern {
  readonly scheme: string;
  readonly port: number;
  readonly host: RegExp;
}

/** A compiled `allowOrigins` list. */
export class OriginMatcher {
  readonly any: boolean;
  readonly #exact: ReadonlySet<string>;
  readonly #globs: readonly GlobPattern[];

  constructor(any: boolean, exact: ReadonlySet<string>, globs: readonly GlobPattern[]) {
    this.any = any;
    this.#exact = exact;
    this.#globs = globs;
  }

  /**
   * Compile config entries. An entry that is not an origin is reported to `onInvalid(index, reason)`
   * and never matches (agentgateway's behaviour: it does not fail the load).
   */
  static compile(
    entries: readonly string[],
    onInvalid: (index: number, reason: string) => void,
  ): OriginMatcher {
    let any = false;
    const exact = new Set<string>();
    const globs: GlobPattern[] = [];
    entries.forEach((entry, i) => {
      if (entry === '*') {
        any = true;
        return;
      }
      if (entry === 'null') {
        onInvalid(i, 'the "null" origin (sandboxed frames, file: pages) cannot be allowed');
        return;
      }
      const p = parseOrigin(entry, true);
      if (typeof p === 'string') {
        onInvalid(i, `invalid origin "${entry}": ${p}`);
        return;
      }
      if (!p.host.includes('*')) {
        exact.add(originKey(p));
        return;
      }
      // `*` matches one or more host characters, dots included: `https://*.example.com` matches
      // `https://a.example.com` and `https://a.b.example.com`, not `https://example.com`.
      const source = p.host
        .split('*')
        .map((s) => s.replace(/[.[\]]/g, '\\$&'))
        .join('.+');
      globs.push({ scheme: p.scheme, port: p.port, host: new RegExp(`^${source}$`) });
    });
    return new OriginMatcher(any, exact, globs);
  }

  matches(raw: string): boolean {
    const o = parseOrigin(raw);
    if (typeof o === 'string') return false;
    if (this.any || this.#exact.has(originKey(o))) return true;
    return this.#globs.some((g) => g.scheme === o.scheme && g.port === o.port && g.host.test(o.host));
  }
}
