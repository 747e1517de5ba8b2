/**
 * Rewrites a YAML config so it matches a new config value while keeping what the edit did not touch:
 * comments, key order, quoting and flow/block style (yaml Document API). Used by the admin API's
 * `POST /config`, which then writes the file and lets the watcher reload it.
 *
 * With `env`, a scalar written as `$VAR` is kept when its expansion equals the new value, so saving
 * from the UI does not replace a variable reference with the secret it expands to.
 */
import { Document, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { expandEnv } from './env.js';

type Env = Readonly<Record<string, string | undefined>>;

export function updateConfigText(originalText: string, newConfig: unknown, env?: Env): string {
  const parsed = parseDocument(originalText, { prettyErrors: false });
  // A broken original cannot be edited in place: start from an empty document.
  const doc: Document = parsed.errors.length > 0 ? new Document() : parsed;
  if (doc.contents === null) {
    doc.contents = doc.createNode(newConfig);
  } else {
    doc.contents = update(doc, doc.contents, newConfig, env) as Node;
  }
  // Keep the file's sequence style (`key:\n- item` vs `key:\n  - item`).
  const indentSeq = !/^([ \t]*)[^\s#-][^\n]*:[ \t]*\n\1- /m.test(originalText);
  return doc.toString({ lineWidth: 0, indentSeq, flowCollectionPadding: false });
}

function update(doc: Document, node: unknown, value: unknown, env: Env | undefined): unknown {
  if (isAlias(node)) {
    const resolved = node.resolve(doc);
    if (resolved && deepEqual(resolved.toJS(doc), value)) return node;
    return replace(doc, node, value);
  }
  if (isMap(node) && isPlainObject(value)) {
    for (const pair of [...node.items]) {
      const key = keyText(pair.key);
      if (!(key in value) || value[key] === undefined) node.delete(pair.key);
    }
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const pair = node.items.find((p) => keyText(p.key) === key);
      if (pair) pair.value = update(doc, pair.value, v, env);
      else node.add(doc.createPair(key, v));
    }
    return node;
  }
  if (isSeq(node) && Array.isArray(value)) {
    const items = node.items.slice(0, value.length).map((item, i) => update(doc, item, value[i], env));
    // New items take the quoting of the last existing one (a list of single-quoted CEL rules stays so).
    const last = node.items[node.items.length - 1];
    for (let i = items.length; i < value.length; i++) {
      const added = doc.createNode(value[i]);
      if (isScalar(added) && isScalar(last) && typeof added.value === typeof last.value)
        added.type = last.type;
      items.push(added);
    }
    node.items = items;
    return node;
  }
  if (isScalar(node) && (value === null || typeof value !== 'object')) {
    if (node.value === value) return node;
    if (env && typeof node.value === 'string' && node.value.includes('$')) {
      const expanded = expandEnv(node.value, env);
      if (expanded.errors.length === 0 && expanded.text === String(value)) return node;
    }
    if (typeof node.value !== typeof value) node.type = undefined;
    node.value = value;
    return node;
  }
  return replace(doc, node, value);
}

/** A fresh node for a value of another shape, keeping the comments of the node it replaces. */
function replace(doc: Document, old: unknown, value: unknown): Node {
  const node = doc.createNode(value);
  const o = old as Node | null;
  if (o?.commentBefore) node.commentBefore = o.commentBefore;
  if (o?.comment) node.comment = o.comment;
  return node;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
