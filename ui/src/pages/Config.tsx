import { useEffect, useState } from 'react';
import type { ConfigIssue } from '../../../src/admin/api.js';
import { api, ApiError } from '../api.js';
import { Card, ErrorBox, IssueList } from '../components/common.js';

/** The config file as JSON: edit, validate and save (the gateway reloads it; comments are kept where untouched). */
export function Config() {
  const [text, setText] = useState<string>('');
  const [loadError, setLoadError] = useState<string>();
  const [result, setResult] = useState<{ ok: boolean; message: string; issues: readonly ConfigIssue[] }>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .config()
      .then((c) => setText(JSON.stringify(c, null, 2)))
      .catch((e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
  }, []);

  async function save() {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      setResult({ ok: false, message: `Not valid JSON: ${(e as Error).message}`, issues: [] });
      return;
    }
    setBusy(true);
    try {
      const r = await api.writeConfig(json);
      setResult({ ok: true, message: r.message ?? 'Saved.', issues: [] });
    } catch (e) {
      setResult({
        ok: false,
        message: e instanceof Error ? e.message : String(e),
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
        The config file as JSON. Saving validates it first; an invalid config is not written.
      </p>
      {loadError ? <ErrorBox message={`The config cannot be edited here: ${loadError}`} /> : null}
      <Card
        title="Config file"
        id="config"
        actions={
          <button type="button" onClick={() => void save()} disabled={busy || !!loadError}>
            {busy ? 'Saving…' : 'Validate and save'}
          </button>
        }
      >
        <label htmlFor="config-text" className="sr-only">
          Config JSON
        </label>
        <textarea
          id="config-text"
          className="code-editor"
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={28}
        />
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
      </Card>
    </>
  );
}
