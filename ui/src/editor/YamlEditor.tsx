/**
 * The config editor: CodeMirror 6 with YAML highlighting, completion of the keys the config's JSON
 * Schema allows where the cursor is, and lint diagnostics from the gateway's own validation
 * (`POST /config/yaml?dryRun=1`), placed at the lines and columns the gateway reports — the same
 * numbers as the editor's gutter. Loaded lazily: the rest of the UI does not carry CodeMirror.
 */
import {
  autocompletion,
  closeBrackets,
  completionKeymap,
  type CompletionContext,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { forceLinting, linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorState, type Text } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { useEffect, useRef } from 'react';
import schema from '../../../schema/config.schema.json';
import type { ConfigIssue } from '../../../src/admin/api.js';
import { keysAt, type JsonSchema } from './schema-keys.js';
import { pathAt } from './yaml-path.js';

export interface YamlEditorProps {
  /** The text when the editor opens (later changes of this prop are ignored: the editor owns the text). */
  readonly initial: string;
  readonly onChange: (text: string) => void;
  /** Validate a text; resolves to the issues (none: valid). */
  readonly validate: (text: string) => Promise<readonly ConfigIssue[]>;
  /** Issues to show now (e.g. from a save), at their lines. */
  readonly issues?: readonly ConfigIssue[] | undefined;
}

export default function YamlEditor(props: YamlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const propsRef = useRef(props);
  propsRef.current = props;
  const shown = useRef<readonly ConfigIssue[] | undefined>(undefined);

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: propsRef.current.initial,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          highlightActiveLine(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          yaml(),
          autocompletion({ override: [schemaCompletion] }),
          lintGutter(),
          linter(
            async (ev) => {
              const given = shown.current;
              shown.current = undefined;
              const issues = given ?? (await propsRef.current.validate(ev.state.doc.toString()));
              return issues.map((i) => diagnostic(ev.state.doc, i));
            },
            { delay: 800 },
          ),
          keymap.of([...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ 'aria-label': 'Config YAML' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) propsRef.current.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = undefined;
    };
  }, []);

  // Issues handed in (from a save) are shown at once, without another round trip.
  useEffect(() => {
    if (!props.issues || !view.current) return;
    shown.current = props.issues;
    forceLinting(view.current);
  }, [props.issues]);

  return <div className="yaml-editor" ref={host} data-testid="yaml-editor" />;
}

/** A gateway issue as a diagnostic: 1-based line and column of the text, clamped into the document. */
function diagnostic(doc: Text, i: ConfigIssue): Diagnostic {
  const lineNo = Math.min(Math.max(i.line, 1), doc.lines);
  const line = doc.line(lineNo);
  const from = Math.min(line.from + Math.max(i.column - 1, 0), line.to);
  // Underline to the end of the word (at least one character when the line has any).
  const word = /^[^\s:,\]}]*/.exec(line.text.slice(from - line.from))?.[0].length ?? 0;
  const to = Math.min(Math.max(from + word, from + 1), line.to);
  return {
    from,
    to: to > from ? to : from,
    severity: 'error',
    message: i.path ? `${i.message} (${i.path})` : i.message,
  };
}

/** Complete a key where one can start: at the beginning of a line, after indentation or `- `. */
function schemaCompletion(ctx: CompletionContext) {
  const line = ctx.state.doc.lineAt(ctx.pos);
  const before = line.text.slice(0, ctx.pos - line.from);
  const m = /^(\s*(?:-\s+)*)([\w$-]*)$/.exec(before);
  if (!m) return null;
  const word = m[2] ?? '';
  if (!word && !ctx.explicit) return null;
  const lines: string[] = [];
  for (let n = 1; n < line.number; n++) lines.push(ctx.state.doc.line(n).text);
  lines.push(before);
  const keys = keysAt(schema as unknown as JsonSchema, pathAt(lines, (m[1] ?? '').length));
  if (keys.length === 0) return null;
  return {
    from: ctx.pos - word.length,
    options: keys.map((k) => ({
      label: k.name,
      apply: `${k.name}: `,
      type: 'property',
      detail: k.type,
      ...(k.description ? { info: k.description } : {}),
    })),
    validFor: /^[\w$-]*$/,
  };
}
