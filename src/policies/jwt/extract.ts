/**
 * Reading the bearer token from a request (reference §3.4, RFC 6750 §2.1). Only the `Authorization`
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
