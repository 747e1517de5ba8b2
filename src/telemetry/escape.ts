/**
 * Control characters made visible. Text written for terminals (text logs, CLI output) carries names and
 * messages that callers and upstreams choose; a raw `ESC [` would drive the reader's terminal (colours,
 * cursor moves, hidden text, fake lines). Every C0/C1 control, DEL and the bidirectional overrides
 * (text that reads differently than it is) become `\n`, `\t`, `\r`, `\xNN` or `\uNNNN`.
 */
const CLASS = '[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]';
const UNSAFE = new RegExp(CLASS, 'u');
const UNSAFE_ALL = new RegExp(CLASS, 'gu');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function escapeControl(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, escapeOne) : s;
}

/** True when `s` holds a character escapeControl would rewrite. */
export function hasControl(s: string): boolean {
  return UNSAFE.test(s);
}
