/**
 * Envoy `HeaderValueOption`s from an authorization or rate-limit service, applied to a header record
 * (upstream request) or a response. Names the service sends are validated: a service must not be able
 * to inject hop-by-hop fields, CR/LF, or pseudo-headers.
 */
import type { ServerResponse } from 'node:http';
import { isHopByHop } from '../headers/names.js';

export interface PbHeaderValue {
  key?: string;
  value?: string;
  raw_value?: Buffer;
}
export interface PbHeaderValueOption {
  header?: PbHeaderValue | null;
  append?: { value?: boolean } | null;
  append_action?: string;
}

export interface HeaderOp {
  readonly name: string;
  readonly value: string;
  readonly mode: 'set' | 'append' | 'addIfAbsent';
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Most header operations taken from one answer (a hostile service cannot grow a request without bound). */
const MAX_OPS = 64;

export function headerOps(
  list: readonly PbHeaderValueOption[] | undefined,
  appendByDefault: boolean,
): HeaderOp[] {
  const out: HeaderOp[] = [];
  for (const o of list ?? []) {
    if (out.length >= MAX_OPS) break;
    const op = headerOp(o.header, o.append?.value ?? appendByDefault, o.append_action);
    if (op) out.push(op);
  }
  return out;
}

export function headerOp(
  h: PbHeaderValue | null | undefined,
  append: boolean,
  action?: string,
): HeaderOp | undefined {
  const name = (h?.key ?? '').toLowerCase();
  const value = h?.value || (h?.raw_value?.length ? h.raw_value.toString('latin1') : '');
  if (!TOKEN.test(name) || isHopByHop(name) || name === 'content-length' || !VALUE.test(value))
    return undefined;
  const mode =
    action === 'ADD_IF_ABSENT'
      ? 'addIfAbsent'
      : append && action !== 'OVERWRITE_IF_EXISTS_OR_ADD'
        ? 'append'
        : 'set';
  return { name, value, mode };
}

export function applyToRecord(headers: Record<string, string>, ops: readonly HeaderOp[]): void {
  for (const op of ops) {
    const cur = headers[op.name];
    if (op.mode === 'addIfAbsent' && cur !== undefined) continue;
    headers[op.name] = op.mode === 'append' && cur !== undefined ? `${cur}, ${op.value}` : op.value;
  }
}

export function applyToResponse(res: ServerResponse, ops: readonly HeaderOp[]): void {
  if (res.headersSent) return;
  for (const op of ops) {
    const cur = res.getHeader(op.name);
    if (op.mode === 'addIfAbsent' && cur !== undefined) continue;
    if (op.mode === 'append' && cur !== undefined) {
      res.setHeader(op.name, [...(Array.isArray(cur) ? cur : [String(cur)]), op.value]);
    } else res.setHeader(op.name, op.value);
  }
}
