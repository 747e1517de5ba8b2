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
/** IP-literal: IPv6 (hex, `:` and an embedded IPv4) in brackets; zone ids are not accepted. */
const IP_LITERAL = /^\[[0-9A-Fa-f:.]+\]$/;

/** A Host value (`host[:port]`) a client may send: RFC 3986 host, port 0–65535. Empty is allowed. */
export function isValidHost(value: string): boolean {
  if (value === '') return true;
  let end = value.length;
  if (value.charCodeAt(0) === 0x5b /* [ */) {
    const close = value.indexOf(']');
    if (close === -1 || !IP_LITERAL.test(value.slice(0, close + 1))) return false;
    if (close === value.length - 1) return true;
    if (value.charCodeAt(close + 1) !== 0x3a /* : */) return false;
    return validPort(value, close + 2);
  }
  // reg-name: letters, digits, `-`, `_`, `.` (one scan, no regex: this runs on every request)
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x3a /* : */) {
      end = i;
      break;
    }
    const ok =
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2d ||
      c === 0x2e ||
      c === 0x5f;
    if (!ok) return false;
  }
  if (end === 0) return false;
  return end === value.length || validPort(value, end + 1);
}

/** Digits from `from` to the end, at most 5, value ≤ 65535; empty is allowed (RFC 3986 `*DIGIT`). */
function validPort(value: string, from: number): boolean {
  const len = value.length - from;
  if (len === 0) return true;
  if (len > 5) return false;
  let n = 0;
  for (let i = from; i < value.length; i++) {
    const c = value.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return false;
    n = n * 10 + c;
  }
  return n <= 65535;
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

/** One scan: reject bytes outside visible ASCII and `\\`, drop the fragment, split off the query. */
function split(pathAndQuery: string): { path: string; search: string } | undefined {
  let q = -1;
  let end = pathAndQuery.length;
  let dots = false;
  for (let i = 0; i < pathAndQuery.length; i++) {
    const c = pathAndQuery.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x5c) return undefined;
    if (c === 0x23 /* # */) {
      end = i;
      break;
    }
    if (q === -1) {
      if (c === 0x3f /* ? */) q = i;
      else if (c === 0x2e /* . */ || c === 0x25 /* % */) dots = true;
    }
  }
  const pathEnd = q === -1 ? end : q;
  const raw = pathAndQuery.slice(0, pathEnd);
  const path = dots ? removeDotSegments(raw) : raw;
  const search = q === -1 || q >= end - 1 ? '' : pathAndQuery.slice(q, end);
  return { path, search };
}

/** Parse `req.url` (origin-form, absolute-form, or `*` for OPTIONS). `undefined` = malformed. */
export function parseRequestTarget(target: string, method: string): RequestTarget | undefined {
  if (target.charCodeAt(0) === 0x2f /* / */) {
    const p = split(target);
    return p && { path: p.path, search: p.search, authority: undefined };
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
  return p && { path: p.path, search: p.search, authority };
}
