/**
 * "Connect a client": copy-ready set-ups for Claude Desktop, Claude Code, Cursor, VS Code and MCP
 * Inspector for the selected endpoint, carrying the token pasted above (or a placeholder). The admin API
 * renders them (`/api/client-snippets`), so the CLI docs and the UI show the same text.
 */
import { useEffect, useState } from 'react';
import type { ClientSnippet } from '../../../src/admin/client-snippets-api.js';
import { api } from '../api.js';
import { Empty, ErrorBox } from '../components/common.js';

export function ClientSnippetsCard({ endpointUrl, token }: { endpointUrl: string; token: string }) {
  const [snippets, setSnippets] = useState<ClientSnippet[]>();
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState<string>();
  useEffect(() => {
    if (!endpointUrl) return;
    let alive = true;
    const t = token.trim();
    // Typing a token refreshes the snippets; wait for a pause instead of asking at every key.
    const timer = setTimeout(() => {
      api
        .clientSnippets(endpointUrl, t || undefined)
        .then((s) => alive && (setSnippets(s), setError(undefined)))
        .catch((e: unknown) => alive && setError(e instanceof Error ? e.message : String(e)));
    }, 250);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [endpointUrl, token]);

  async function copy(s: ClientSnippet) {
    try {
      await navigator.clipboard.writeText(s.text);
      setCopied(s.name);
    } catch {
      setCopied(undefined);
    }
  }

  return (
    <details className="card clients" id="clients">
      <summary>Connect a client</summary>
      <p className="muted small">
        Set-ups for this endpoint
        {token.trim() ? ', with the token above' : ' (paste a token above to fill it in)'}. The token is a
        secret: keep these files out of version control.
      </p>
      {error ? <ErrorBox message={error} /> : null}
      {!snippets ? (
        <Empty>Pick an endpoint.</Empty>
      ) : (
        snippets.map((s) => (
          <section className="snippet" key={s.name} aria-label={s.name}>
            <div className="snippet-header">
              <h3 className="subhead">
                {s.name} {s.where ? <span className="muted small">{s.where}</span> : null}
              </h3>
              <button type="button" className="secondary" onClick={() => void copy(s)}>
                {copied === s.name ? 'Copied' : 'Copy'}
              </button>
            </div>
            <pre className="json" data-language={s.language}>
              {s.text}
            </pre>
          </section>
        ))
      )}
    </details>
  );
}
