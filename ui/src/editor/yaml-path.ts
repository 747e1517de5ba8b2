/**
 * Where the cursor is in a YAML document, as a path of keys (`binds`, `[]`, `listeners`, …), found from
 * indentation alone so it works on half-typed text that does not parse yet. `[]` stands for "an item of
 * a sequence". Good enough for completion; validation uses the real parser on the server.
 */
export type YamlPath = readonly string[];

interface LineInfo {
  /** Columns of the sequence markers (`- `) before the content. */
  readonly dashes: readonly number[];
  /** Column where the content starts, after any markers. */
  readonly indent: number;
  /** The key of `key:` (a block value follows) — undefined for anything else. */
  readonly opens: string | undefined;
}

export function lineInfo(line: string): LineInfo | undefined {
  const m = /^(\s*)((?:-(?:\s+|$))*)(.*)$/.exec(line);
  if (!m) return undefined;
  const rest = (m[3] ?? '').replace(/\s+#.*$/, '');
  if (!rest.trim() && !m[2]) return undefined;
  if (rest.startsWith('#')) return undefined;
  const dashes: number[] = [];
  let col = (m[1] ?? '').length;
  for (const d of (m[2] ?? '').matchAll(/-(\s+|$)/g)) {
    dashes.push(col);
    col += d[0].length;
  }
  const k = /^(["']?)([^"'#:\s][^:#]*?)\1\s*:\s*$/.exec(rest);
  return { dashes, indent: col, opens: k?.[2] };
}

/**
 * The path of the mapping a key typed at `column` of the last line belongs to. `lines` are the document's
 * lines up to and including the cursor's.
 */
export function pathAt(lines: readonly string[], column: number): YamlPath {
  const path: string[] = [];
  const here = lineInfo((lines[lines.length - 1] ?? '').slice(0, column));
  // `limit`: the column where the container we are in starts; `seq`: that container is a sequence
  // item (its parent key may sit at the same column: `key:\n- item` is valid YAML).
  let limit = column;
  let seq = false;
  if (here?.dashes.length) {
    for (const _ of here.dashes) path.unshift('[]');
    limit = here.dashes[0] ?? column;
    seq = true;
  }
  for (let i = lines.length - 2; i >= 0 && (limit > 0 || seq); i--) {
    const l = lineInfo(lines[i] ?? '');
    if (!l) continue;
    if (l.opens !== undefined && (l.indent < limit || (seq && l.indent === limit))) {
      path.unshift(l.opens);
      for (const _ of l.dashes) path.unshift('[]');
      limit = l.dashes[0] ?? l.indent;
      seq = l.dashes.length > 0;
    } else if (l.indent < limit && l.dashes.length === 0) {
      limit = l.indent; // not a `key:` line (broken YAML): keep looking above it
      seq = false;
    } else if (l.dashes.some((d) => d < limit)) {
      // A sibling key in the same sequence item: we are inside that item.
      const outer = l.dashes.filter((d) => d < limit);
      for (const _ of outer) path.unshift('[]');
      limit = outer[0] ?? limit;
      seq = true;
    }
  }
  return path;
}
