/**
 * The config file as YAML text for the UI's editor, without its secrets, and back.
 *
 * `redactYamlText` replaces each secret scalar of the file (what `redactSecrets` in ./redact.ts would hide)
 * by its redacted form *in place*: every other byte — comments, order, blank lines — is the file's own,
 * so the editor shows the file as written. `restoreYamlSecrets` does the reverse on the edited text: a
 * scalar that still holds exactly the redacted form of the secret at the same path gets the secret back,
 * written as one double-quoted line, so the line numbers of the edited text stay those of the result
 * (validation errors then cite the lines the editor shows).
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { REDACTED, redactSecrets } from './redact.js';

type Path = readonly (string | number)[];
interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The file's text with its secrets redacted in place. Unparseable text is not shown at all. */
export function redactYamlText(text: string): string {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) throw new Error('the config file does not parse as YAML');
  const redacted = redactSecrets(doc.toJS() as unknown);
  const splices: Splice[] = [];
  forEachScalar(doc.contents, [], (node, path) => {
    const was = node.value;
    const now = at(redacted, path);
    if (now === was) return;
    const shown = typeof now === 'string' ? now : REDACTED;
    splice(splices, text, node, shown);
  });
  return apply(text, splices);
}

/**
 * `edited` with each redacted secret put back from `original` (the file's current text). A value the user
 * changed is kept as typed; a redacted placeholder whose secret no longer exists stays as it is (and the
 * config then fails validation or carries the placeholder, which the user sees).
 */
export function restoreYamlSecrets(edited: string, original: string): string {
  const orig = parseDocument(original, { prettyErrors: false });
  if (orig.errors.length > 0) return edited;
  const origJs = orig.toJS() as unknown;
  const redacted = redactSecrets(origJs);
  const doc = parseDocument(edited, { prettyErrors: false });
  if (doc.errors.length > 0) return edited; // the loader reports the syntax error with its line
  const splices: Splice[] = [];
  forEachScalar(doc.contents, [], (node, path) => {
    const secret = at(origJs, path);
    if (secret === undefined) return;
    const hidden = at(redacted, path);
    const placeholder = typeof hidden === 'string' && hidden !== secret ? hidden : REDACTED;
    if (hidden === secret || node.value !== placeholder) return;
    splice(splices, edited, node, secret);
  });
  return apply(edited, splices);
}

/** Replace a scalar's source by `value` as one JSON (= YAML double-quoted) line; a block scalar's range ends with its newline. */
function splice(
  out: Splice[],
  text: string,
  node: { range?: [number, number, number] | null },
  value: unknown,
): void {
  const [start, end] = node.range ?? [0, 0];
  if (end <= start) return;
  out.push({ start, end, text: JSON.stringify(value) + (text[end - 1] === '\n' ? '\n' : '') });
}

function forEachScalar(
  node: unknown,
  path: Path,
  visit: (node: Node & { value: unknown; range?: [number, number, number] | null }, path: Path) => void,
): void {
  if (isScalar(node)) visit(node as never, path);
  else if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof key === 'string' || typeof key === 'number')
        forEachScalar(pair.value, [...path, key], visit);
    }
  } else if (isSeq(node)) node.items.forEach((item, i) => forEachScalar(item, [...path, i], visit));
}

function at(value: unknown, path: Path): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

function apply(text: string, splices: readonly Splice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.start - a.start))
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}
