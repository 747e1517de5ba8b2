import { lazy, Suspense, useEffect, useState } from 'react';
import type { ConfigIssue } from '../../../src/admin/api.js';
import { api, ApiError } from '../api.js';
import { Card, ErrorBox, IssueList } from '../components/common.js';

// CodeMirror is most of the editor's weight: only this page loads it.
const YamlEditor = lazy(() => import('../editor/YamlEditor.js'));

/** Validate a YAML text with the gateway: its issues (at the text's lines), none when valid. */
async function validate(text: string): Promise<readonly ConfigIssue[]> {
  try {
    await api.writeConfigYaml(text, true);
    return [];
  } catch (e) {
    if (e instanceof ApiError && e.issues.length) return e.issues;
    const message = e instanceof Error ? e.message : String(e);
    return [{ file: '', line: 1, column: 1, path: '', message }];
  }
}

/**
 * The config file as YAML (secrets redacted; they are kept on save): edit with completion from the
 * config schema, errors shown at their lines as you type, validate and save (the gateway reloads it).
 */
export function Config() {
  const [initial, setInitial] = useState<string>();
  const [text, setText] = useState('');
  const [loadError, setLoadError] = useState<string>();
  const [result, setResult] = useState<{ ok: boolean; message: string; issues: readonly ConfigIssue[] }>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .configYaml()
      .then((t) => {
        setInitial(t);
        setText(t);
      })
      .catch((e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
  }, []);

  async function save() {
    setBusy(true);
    try {
      const r = await api.writeConfigYaml(text, false);
      setResult({ ok: true, message: r.message ?? 'Saved.', issues: [] });
    } catch (e) {
      setResult({
        ok: false,
        message: e instanceof Error ? e.message.split('\n')[0]! : String(e),
        issues: e instanceof ApiError ? e.issues : [],
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Configuration</h1>
      <p className="lead">
        The config file as YAML, secrets shown as <code>[redacted]</code> (saving keeps them). Errors appear
        at their lines as you type; <kbd>Ctrl</kbd>+<kbd>Space</kbd> lists the keys allowed where the cursor
        is. An invalid config is not written.
      </p>
      {loadError ? <ErrorBox message={`The config cannot be edited here: ${loadError}`} /> : null}
      <Card
        title="Config file"
        id="config"
        actions={
          <button type="button" onClick={() => void save()} disabled={busy || initial === undefined}>
            {busy ? 'Saving…' : 'Validate and save'}
          </button>
        }
      >
        {initial === undefined ? (
          loadError ? null : (
            <p className="muted">Loading the config…</p>
          )
        ) : (
          <Suspense fallback={<p className="muted">Loading the editor…</p>}>
            <YamlEditor
              initial={initial}
              onChange={setText}
              validate={validate}
              issues={result && !result.ok ? result.issues : undefined}
            />
          </Suspense>
        )}
        <div aria-live="polite">
          {result ? (
            result.ok ? (
              <p className="success" role="status">
                {result.message}
              </p>
            ) : (
              <>
                <ErrorBox message={result.message} />
                <IssueList issues={result.issues} />
              </>
            )
          ) : null}
        </div>
      </Card>
    </>
  );
}
