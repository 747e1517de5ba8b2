/**
 * Reading the bearer token from a request (RFC 6750 §2.1). Only the `Authorization`
 * header is read; the scheme is matched case-insensitively (the seed sends `bearer`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthnRequest } from '../types.js';

export type { AuthnRequest };

/** The contract accepts bare headers too (then duplicates, which node drops, go unseen). */
export function asAuthnRequest(x: AuthnRequest | IncomingHttpHeaders): AuthnRequest {
  const h: unknown = (x as { headers?: unknown }).headers;
  return typeof h === 'object' && h !== null && !Array.isArray(h)
    ? (x as AuthnRequest)
    : { headers: x as IncomingHttpHeaders };
}

export type Extracted =
  /** No Authorization header, a non-Bearer scheme (e.g. `Basic`), or `Bearer` with nothing after it. */
  | { readonly kind: 'none' }
  | { readonly kind: 'multiple' }
  | { readonly kind: 'token'; readonly token: string };

const NONE: Extracted = { kind: 'none' };
const MULTIPLE: Extracted = { kind: 'multiple' };
const BEARER = /^bearer[ \t]+(\S.*)$/is;

export function countAuthorizationHeaders(req: AuthnRequest): number {
  const raw = req.rawHeaders;
  if (raw === undefined) {
    const v: unknown = req.headers.authorization;
    return v === undefined ? 0 : Array.isArray(v) ? v.length : 1;
  }
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'authorization') n++;
  return n;
}

export function extractBearer(req: AuthnRequest): Extracted {
  const n = countAuthorizationHeaders(req);
  if (n === 0) return NONE;
  if (n > 1) return MULTIPLE;
  const value: unknown = req.headers.authorization;
  if (typeof value !== 'string') return NONE;
  const m = BEARER.exec(value.trim());
  if (!m) return NONE;
  return { kind: 'token', token: m[1]! };
}

/**
 * agentgateway's `location`: where the token is read from. The default (and `header: {name:
 * authorization}`) is the strict Authorization: Bearer reading above; another header is read with its
 * `prefix` (none by default), a `queryParameter` from the request URL, a `cookie` from Cookie.
 */
export type Extractor = (req: AuthnRequest) => Extracted;

export type TokenLocation =
  | { readonly header: { readonly name: string; readonly prefix?: string | undefined } }
  | { readonly queryParameter: { readonly name: string } }
  | { readonly cookie: { readonly name: string } };

export function createExtractor(location: TokenLocation | undefined): Extractor {
  if (!location) return extractBearer;
  if ('header' in location) {
    const name = location.header.name.toLowerCase();
    const prefix = location.header.prefix ?? (name === 'authorization' ? 'Bearer ' : '');
    if (name === 'authorization' && prefix.trim().toLowerCase() === 'bearer') return extractBearer;
    return function headerToken(req) {
      const v: unknown = req.headers[name];
      if (Array.isArray(v)) return v.length > 1 ? MULTIPLE : fromValue(v[0], prefix);
      return fromValue(v, prefix);
    };
  }
  if ('queryParameter' in location) {
    const name = location.queryParameter.name;
    return function queryToken(req) {
      const url = (req as { url?: unknown }).url;
      if (typeof url !== 'string') return NONE;
      const values = new URLSearchParams(url.split('?')[1] ?? '').getAll(name);
      return values.length > 1 ? MULTIPLE : fromValue(values[0], '');
    };
  }
  const name = location.cookie.name;
  return function cookieToken(req) {
    const cookie = req.headers.cookie;
    if (typeof cookie !== 'string') return NONE;
    const found = cookie
      .split(';')
      .map((c) => c.trim())
      .filter((c) => c.startsWith(`${name}=`))
      .map((c) => c.slice(name.length + 1));
    return found.length > 1 ? MULTIPLE : fromValue(found[0], '');
  };
}

function fromValue(v: unknown, prefix: string): Extracted {
  if (typeof v !== 'string') return NONE;
  const t = v.trim();
  if (prefix !== '' && !t.toLowerCase().startsWith(prefix.toLowerCase())) return NONE;
  const token = t.slice(prefix.length).trim();
  return token === '' ? NONE : { kind: 'token', token };
}
