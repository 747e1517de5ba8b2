/**
 * Shell-style environment expansion applied to the config text before parsing:
 * `$VAR`, `${VAR}` and `${VAR:-default}`. An unset variable is an error; `$$` is a literal `$`; a `$`
 * followed by anything else (a regex's trailing `$`) stays literal. The editor hint comment
 * `# yaml-language-server: $schema=…` is left alone. The returned map translates offsets in the
 * expanded text back to the original, so later errors point at what the person wrote.
 */

export interface EnvExpansion {
  readonly text: string;
  /** Offset in the expanded text → offset in the original text. */
  readonly toOriginal: (offset: number) => number;
  /** `offset` in the original text, `parsedOffset` where the (empty) substitution landed. */
  readonly errors: readonly {
    readonly offset: number;
    readonly parsedOffset: number;
    readonly message: string;
  }[];
}

interface Replacement {
  readonly origStart: number;
  readonly origEnd: number;
  readonly expStart: number;
  readonly expEnd: number;
}

const NAME_CHAR = /[A-Za-z0-9_]/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SCHEMA_COMMENT = /^[ \t]*#[ \t]*yaml-language-server:/;

export function expandEnv(text: string, env: Readonly<Record<string, string | undefined>>): EnvExpansion {
  const out: string[] = [];
  const reps: Replacement[] = [];
  const errors: { offset: number; parsedOffset: number; message: string }[] = [];
  let outLen = 0;
  let i = 0;
  const emit = (s: string): void => {
    out.push(s);
    outLen += s.length;
  };
  const replace = (origStart: number, origEnd: number, value: string): void => {
    reps.push({ origStart, origEnd, expStart: outLen, expEnd: outLen + value.length });
    emit(value);
  };

  while (i < text.length) {
    // At a line start, copy the schema hint comment verbatim.
    if (i === 0 || text[i - 1] === '\n') {
      const eol = text.indexOf('\n', i);
      const end = eol === -1 ? text.length : eol + 1;
      if (SCHEMA_COMMENT.test(text.slice(i, end))) {
        emit(text.slice(i, end));
        i = end;
        continue;
      }
    }
    const next = text.indexOf('$', i);
    const lineEnd = text.indexOf('\n', i);
    const stop = next === -1 ? text.length : lineEnd !== -1 && lineEnd < next ? lineEnd + 1 : next;
    if (stop > i) {
      emit(text.slice(i, stop));
      i = stop;
      continue;
    }
    // text[i] === '$'
    const c = text[i + 1];
    if (c === '$') {
      replace(i, i + 2, '$');
      i += 2;
    } else if (c === '{') {
      const close = text.indexOf('}', i + 2);
      const newline = text.indexOf('\n', i + 2);
      if (close === -1 || (newline !== -1 && newline < close)) {
        errors.push({
          offset: i,
          parsedOffset: outLen,
          message: 'unterminated `${` (write `$$` for a literal `$`)',
        });
        replace(i, i + 2, '');
        i += 2;
        continue;
      }
      const body = text.slice(i + 2, close);
      const sep = body.indexOf(':-');
      const name = sep === -1 ? body : body.slice(0, sep);
      const fallback = sep === -1 ? undefined : body.slice(sep + 2);
      let value = '';
      if (!NAME.test(name)) {
        errors.push({
          offset: i,
          parsedOffset: outLen,
          message: `invalid variable name \`${name}\` in \`\${${body}}\``,
        });
      } else {
        const v = env[name];
        if (fallback !== undefined) value = v ? v : fallback;
        else if (v === undefined)
          errors.push({ offset: i, parsedOffset: outLen, message: unsetMessage(name) });
        else value = v;
      }
      replace(i, close + 1, value);
      i = close + 1;
    } else if (c !== undefined && NAME_CHAR.test(c)) {
      let j = i + 1;
      while (j < text.length && NAME_CHAR.test(text[j]!)) j++;
      const name = text.slice(i + 1, j);
      const v = env[name];
      if (v === undefined) errors.push({ offset: i, parsedOffset: outLen, message: unsetMessage(name) });
      replace(i, j, v ?? '');
      i = j;
    } else {
      emit('$');
      i += 1;
    }
  }
  return { text: out.join(''), toOriginal: offsetMapper(reps), errors };
}

function unsetMessage(name: string): string {
  return `environment variable \`${name}\` is not set (write \`$$\` for a literal \`$\`, or \`\${${name}:-default}\`)`;
}

function offsetMapper(reps: readonly Replacement[]): (offset: number) => number {
  if (reps.length === 0) return (offset) => offset;
  return (offset) => {
    let delta = 0;
    for (const r of reps) {
      if (offset < r.expStart) break;
      if (offset < r.expEnd) return r.origStart;
      delta = r.origEnd - r.expEnd;
    }
    return offset + delta;
  };
}
