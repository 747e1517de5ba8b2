import { GatewayError } from '../../errors/registry.js';

/**
 * The gateway's own pagination cursor for merged lists: base64url JSON of the targets that still have
 * pages, each with the upstream's cursor for its next page. A page fans out to all of them at once, so a
 * client that never paginates still sees every target's first page, and one that does sees everything.
 */
export type CursorEntry = readonly [target: string, upstreamCursor: string];

export function encodeCursor(entries: readonly CursorEntry[]): string | undefined {
  if (entries.length === 0) return undefined;
  return Buffer.from(JSON.stringify({ v: 1, p: entries }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || (value as { v?: unknown }).v !== 1) throw invalid();
  const p = (value as { p?: unknown }).p;
  if (!Array.isArray(p) || p.length === 0) throw invalid();
  return p.map((e: unknown) => {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string')
      throw invalid();
    return [e[0], e[1]] as const;
  });
}

function invalid(): GatewayError {
  return new GatewayError('INVALID_PARAMS', 'Invalid params: invalid cursor');
}
