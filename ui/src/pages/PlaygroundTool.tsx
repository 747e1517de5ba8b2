/** Runs one tool: a form generated from its inputSchema (or JSON arguments for a tool typed by name). */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { ErrorBox } from '../components/common.js';
import { ToolResultView } from '../components/ResultView.js';
import type { PlainError } from '../lib/errors.js';
import { buildArgs, fieldsFromSchema, type FormField } from '../lib/schema-form.js';

export interface ToolRunnerProps {
  readonly tools: readonly Tool[];
  readonly name: string;
  readonly onName: (name: string) => void;
  readonly run: (
    name: string,
    args: Record<string, unknown>,
    opts: { onProgress: (p: Progress) => void; signal: AbortSignal },
  ) => Promise<CallToolResult>;
  readonly describe: (err: unknown, name: string) => PlainError;
  readonly disabled: boolean;
}

export interface Progress {
  readonly progress: number;
  readonly total?: number | undefined;
  readonly message?: string | undefined;
}

export function ToolRunner(p: ToolRunnerProps) {
  const tool = p.tools.find((t) => t.name === p.name);
  const fields = useMemo(() => (tool ? fieldsFromSchema(tool.inputSchema) : []), [tool]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [rawArgs, setRawArgs] = useState('{}');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<CallToolResult>();
  const [error, setError] = useState<PlainError>();
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<Progress>();
  const [cancelled, setCancelled] = useState(false);
  const abortRef = useRef<AbortController | undefined>(undefined);
  // Leaving the tool (or the page) cancels a call still running.
  useEffect(() => () => abortRef.current?.abort('the Playground left this tool'), [p.name]);

  useEffect(() => {
    setValues(Object.fromEntries(fields.map((f) => [f.name, f.initial])));
    setFieldErrors({});
    setResult(undefined);
    setError(undefined);
  }, [fields, p.name]);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const name = p.name.trim();
    if (!name) return;
    let args: Record<string, unknown>;
    if (tool) {
      const built = buildArgs(fields, values);
      if (!built.ok) {
        setFieldErrors(built.errors);
        return;
      }
      args = built.args;
    } else {
      try {
        args = JSON.parse(rawArgs || '{}') as Record<string, unknown>;
      } catch (err) {
        setFieldErrors({ __raw: `invalid JSON: ${(err as Error).message}` });
        return;
      }
    }
    setFieldErrors({});
    setRunning(true);
    setResult(undefined);
    setError(undefined);
    setProgress(undefined);
    setCancelled(false);
    const abort = new AbortController();
    abortRef.current = abort;
    try {
      setResult(await p.run(name, args, { onProgress: setProgress, signal: abort.signal }));
    } catch (err) {
      if (abort.signal.aborted) setCancelled(true);
      else setError(p.describe(err, name));
    } finally {
      if (abortRef.current === abort) abortRef.current = undefined;
      setRunning(false);
    }
  }

  /** Abort the call: the SDK sends `notifications/cancelled` for its request id. */
  function cancel() {
    abortRef.current?.abort('cancelled in the Playground');
  }

  return (
    <form className="tool-runner" onSubmit={(e) => void onSubmit(e)} aria-label="Run a tool">
      <div className="field">
        <label htmlFor="pg-tool-name">Tool name</label>
        <input
          id="pg-tool-name"
          value={p.name}
          onChange={(e) => p.onName(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          placeholder="pick a tool or type any name"
        />
      </div>
      {tool?.description ? <p className="tool-description">{tool.description}</p> : null}
      {tool ? (
        fields.length ? (
          fields.map((f) => (
            <Field
              key={f.name}
              field={f}
              value={values[f.name] ?? f.initial}
              error={fieldErrors[f.name]}
              onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))}
            />
          ))
        ) : (
          <p className="muted small">This tool takes no arguments.</p>
        )
      ) : p.name.trim() ? (
        <div className="field">
          <label htmlFor="pg-raw-args">Arguments (JSON)</label>
          <textarea
            id="pg-raw-args"
            className="code-editor"
            rows={4}
            spellCheck={false}
            value={rawArgs}
            onChange={(e) => setRawArgs(e.target.value)}
          />
          <p className="muted small">
            This tool is not in the list: the gateway decides whether this identity may call it.
          </p>
          {fieldErrors['__raw'] ? <p className="error-text small">{fieldErrors['__raw']}</p> : null}
        </div>
      ) : null}
      <div className="actions">
        <button type="submit" disabled={p.disabled || running || !p.name.trim()}>
          {running ? 'Running…' : 'Run'}
        </button>
        {running ? (
          <button type="button" className="secondary" onClick={cancel}>
            Cancel
          </button>
        ) : null}
      </div>
      {running && progress ? (
        <div className="progress" data-testid="tool-progress">
          {/* Without a total the bar is indeterminate (no value): the count says how far it got. */}
          <progress
            aria-label="Progress"
            {...(progress.total ? { value: progress.progress, max: progress.total } : {})}
          />
          <span className="small">
            {progress.total ? `${progress.progress} / ${progress.total}` : progress.progress}
            {progress.message ? ` — ${progress.message}` : ''}
          </span>
        </div>
      ) : null}
      <div aria-live="polite" data-testid="tool-result" className="tool-output">
        {cancelled ? (
          <p className="warning" role="status">
            Call cancelled: the gateway was sent notifications/cancelled
            {progress
              ? ` after ${progress.progress}${progress.total ? ` of ${progress.total}` : ''} steps`
              : ''}
            .
          </p>
        ) : null}
        {error ? <ErrorBox message={error.message} fix={error.fix} /> : null}
        {result ? (
          <section aria-label="Result">
            <h3 className="subhead">Result</h3>
            <ToolResultView result={result} />
          </section>
        ) : null}
      </div>
    </form>
  );
}

function Field(props: {
  field: FormField;
  value: string;
  error: string | undefined;
  onChange: (v: string) => void;
}) {
  const { field: f, value, error, onChange } = props;
  const id = `pg-arg-${f.name}`;
  const describedBy =
    [f.description ? `${id}-desc` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const label = (
    <>
      {f.name}
      {f.required ? (
        <span aria-hidden="true" className="required">
          {' '}
          *
        </span>
      ) : null}
      <span className="muted small"> {f.kind === 'json' ? f.hint : f.kind}</span>
    </>
  );
  let input;
  switch (f.kind) {
    case 'boolean':
      return (
        <div className="field checkbox">
          <label htmlFor={id}>
            <input
              id={id}
              type="checkbox"
              checked={value === 'true'}
              onChange={(e) => onChange(e.target.checked ? 'true' : 'false')}
              aria-describedby={describedBy}
            />{' '}
            {label}
          </label>
          {f.description ? (
            <p id={`${id}-desc`} className="muted small">
              {f.description}
            </p>
          ) : null}
        </div>
      );
    case 'enum':
      input = (
        <select
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          required={f.required}
        >
          {!f.required ? <option value="">(not set)</option> : null}
          {f.options.map((o) => (
            <option key={JSON.stringify(o)} value={JSON.stringify(o)}>
              {typeof o === 'string' ? o : JSON.stringify(o)}
            </option>
          ))}
        </select>
      );
      break;
    case 'json':
      input = (
        <textarea
          id={id}
          className="code-editor"
          rows={3}
          spellCheck={false}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
        />
      );
      break;
    default:
      input = (
        <input
          id={id}
          type={f.kind === 'string' ? 'text' : 'number'}
          step={f.kind === 'integer' ? 1 : 'any'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          aria-required={f.required}
        />
      );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {input}
      {f.description ? (
        <p id={`${id}-desc`} className="muted small">
          {f.description}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-err`} className="error-text small">
          {error}
        </p>
      ) : null}
    </div>
  );
}
