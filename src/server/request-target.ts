/**
 * The request-target and Host header, parsed exactly (RFC 9112 §3.2, RFC 3986 §3.2.2) without building
 * a WHATWG `URL`: `new URL()` throws on inputs a client controls (`Host: a b`, `//[x/`), and costs more
 * than this scan. A malformed value yields `undefined`, which the listener answers with a 400.
 */

export interface RequestTarget {
  /** Path with dot segments removed; always starts with `/` (or is `*` for `OPTIONS *`). */
  readonly path: string;
  /** `?query` (with the `?`) or ''. */
  readonly search: string;
  /** The authority of an absolute-form target (`GET http://host:port/p`), which overrides Host. */
  readonly authority: string | undefined;
}

const ABSOLUTE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;
/** reg-name restricted to DNS-ish names (letters, digits, `-`, `_`, `.`), IPv4 included. */
const REG_NAME = /^[A-Za-z0-9_.-]+$/;
/** IP-literal: IPv6 (hex, `:` and an embedded IPv4) in brackets; zone ids are not accepted. */
const IP_LITERAL = /^\[[0-9A-Fa-f:.]+\]$/;
const PORT = /^[0-9]{1,5}$/;

/** A Host value (`host[:port]`) a client may send: RFC 3986 host, port 0–65535. Empty is allowed. */
export function isValidHost(value: string): boolean {
  if (value === '') return true;
  let host = value;
  let port: string | undefined;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end === -1) return false;
    host = value.slice(0, end + 1);
    const rest = value.slice(end + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return false;
      port = rest.slice(1);
    }
    if (!IP_LITERAL.test(host)) return false;
  } else {
    const colon = value.indexOf(':');
    if (colon !== -1) {
      host = value.slice(0, colon);
      port = value.slice(colon + 1);
    }
    if (!REG_NAME.test(host)) return false;
  }
  if (port === undefined || port === '') return true;
  return PORT.test(port) && Number(port) <= 65535;
}

/** Path and query characters: visible ASCII only (no space, no control, no `\`, nothing above 0x7e). */
function validPathChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x5c) return false;
  }
  return true;
}

function isDot(seg: string): boolean {
  return seg === '.' || seg.toLowerCase() === '%2e';
}

function isDotDot(seg: string): boolean {
  if (seg.length < 2 || seg.length > 6) return false;
  const s = seg.toLowerCase();
  return s === '..' || s === '.%2e' || s === '%2e.' || s === '%2e%2e';
}

/** RFC 3986 §5.2.4 remove_dot_segments (`.`/`..`, percent-encoded too), as a WHATWG URL would. */
export function removeDotSegments(path: string): string {
  if (!path.includes('.') && !/%2e/i.test(path)) return path;
  const segs = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    if (isDot(seg)) {
      if (last) out.push('');
    } else if (isDotDot(seg)) {
      out.pop();
      if (last) out.push('');
    } else out.push(seg);
  }
  return '/' + out.join('/');
}

function split(pathAndQuery: string): { path: string; search: string } | undefined {
  const hash = pathAndQuery.indexOf('#');
  const noFragment = hash === -1 ? pathAndQuery : pathAndQuery.slice(0, hash);
  if (!validPathChars(noFragment)) return undefined;
  const q = noFragment.indexOf('?');
  const path = q === -1 ? noFragment : noFragment.slice(0, q);
  const search = q === -1 || q === noFragment.length - 1 ? '' : noFragment.slice(q);
  return { path: removeDotSegments(path), search };
}

/** Parse `req.url` (origin-form, absolute-form, or `*` for OPTIONS). `undefined` = malformed. */
export function parseRequestTarget(target: string, method: string): RequestTarget | undefined {
  if (target.startsWith('/')) {
    const p = split(target);
    return p && { ...p, authority: undefined };
  }
  if (target === '*')
    return method === 'OPTIONS' ? { path: '*', search: '', authority: undefined } : undefined;
  const m = ABSOLUTE.exec(target);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const authority = m[2]!;
  if (authority === '' || authority.includes('@') || !isValidHost(authority)) return undefined;
  const rest = m[3]!;
  const p = split(rest === '' || rest.startsWith('?') || rest.startsWith('#') ? '/' + rest : rest);
  return p && { ...p, authority };
}
