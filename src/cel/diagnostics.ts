/**
 * Load-time messages for bad CEL: what is wrong, then the offending line of the expression with a
 * caret under the bad spot, e.g.
 *
 *   unknown variable 'jtw' (available: jwt, request, source, now, mcp)
 *     jtw.sub == "test-user"
 *     ^^^
 */
import { CEL_FUNCTION_NAMES, CEL_OBJECT_FIELDS, CEL_VARIABLES, type CelVariableSet } from './environment.js';

export interface CelSpan {
  readonly start: number;
  readonly end: number;
}

/** The line of `source` that contains `span.start`, with carets under the span (at least one). */
export function caretLines(source: string, span: CelSpan, indent = '  '): string {
  const start = Math.max(0, Math.min(span.start, source.length));
  const lineStart = source.lastIndexOf('\n', start - 1) + 1;
  const nl = source.indexOf('\n', start);
  const lineEnd = nl < 0 ? source.length : nl;
  const line = source.slice(lineStart, lineEnd);
  const width = Math.max(1, Math.min(span.end, lineEnd) - start);
  const lineNo = source.slice(0, lineStart).split('\n').length;
  const prefix = source.includes('\n') ? `${indent}${lineNo} | ` : indent;
  // Tabs stay tabs so the caret lines up in a terminal.
  const pad = line.slice(0, start - lineStart).replace(/[^\t]/g, ' ');
  return `${prefix}${line}\n${' '.repeat(prefix.length)}${pad}${'^'.repeat(width)}`;
}

interface CelLibError {
  readonly code?: string;
  readonly summary?: string;
  readonly message: string;
  readonly range?: CelSpan;
}

/** Turn a cel-js parse/type error into our wording (the caret is added by the caller). */
export function describeCelError(
  err: unknown,
  source: string,
  set: CelVariableSet,
): { text: string; span: CelSpan } {
  const e = err as CelLibError;
  const summary = e.summary ?? String(e.message).split('\n')[0] ?? 'invalid expression';
  const span = e.range ?? { start: 0, end: source.length };
  const word = source.slice(span.start, span.end);
  switch (e.code) {
    case 'unknown_variable':
      return {
        text: `unknown variable '${word}' (available: ${Object.keys(CEL_VARIABLES[set]).join(', ')})`,
        span,
      };
    case 'no_such_key': {
      const fields = fieldsBefore(source, span.start, set);
      const field = summary.replace(/^No such key: /, '');
      return { text: `no such field '${field}'${fields ? ` (fields: ${fields})` : ''}`, span };
    }
    default: {
      const overload = /^found no matching overload for '(?:[\w.<>, ]+\.)?(\w+)\(/.exec(summary);
      if (overload && overload[1] && !CEL_FUNCTION_NAMES.has(overload[1])) {
        return { text: `unknown function '${overload[1]}'`, span };
      }
      if (e.code === 'unexpected_token' || (err as Error).name === 'ParseError') {
        return { text: `syntax error: ${summary}`, span };
      }
      return { text: summary, span };
    }
  }
}

/** For `mcp.tool.nme`, the declared fields of `mcp.tool` (best effort, for the message only). */
function fieldsBefore(source: string, at: number, set: CelVariableSet): string | undefined {
  const m = /([A-Za-z_][\w.]*)\.\s*$/.exec(source.slice(0, at));
  if (!m || !m[1]) return undefined;
  const [root, ...path] = m[1].split('.');
  let type: string | undefined = root === undefined ? undefined : CEL_VARIABLES[set][root];
  for (const p of path) type = type ? CEL_OBJECT_FIELDS[type]?.[p] : undefined;
  const fields = type ? CEL_OBJECT_FIELDS[type] : undefined;
  return fields ? Object.keys(fields).join(', ') : undefined;
}
