/**
 * The HTTP requests of the session, with whether each carried the bearer token. Each row opens to the
 * exchange: method, URL, status, request headers (token masked), request body, and the response body —
 * an SSE response as its events.
 */
import { Fragment, useState } from 'react';
import type { TrafficEntry } from '../mcp/client.js';

export function TrafficLog({ entries, tokenSet }: { entries: readonly TrafficEntry[]; tokenSet: boolean }) {
  const missing = tokenSet ? entries.filter((e) => !e.authorization).length : 0;
  const [open, setOpen] = useState<number>();
  return (
    <details className="card traffic">
      <summary>
        HTTP requests ({entries.length})
        {tokenSet ? (missing ? ` — ${missing} without the token!` : ' — all with the token') : ''}
      </summary>
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Request</th>
            <th scope="col">JSON-RPC</th>
            <th scope="col">Token</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <Fragment key={e.id}>
              <tr className={open === e.id ? 'selected' : undefined}>
                <td>{e.id}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    aria-expanded={open === e.id}
                    aria-controls={`exchange-${e.id}`}
                    onClick={() => setOpen(open === e.id ? undefined : e.id)}
                  >
                    <code>
                      {e.method} {new URL(e.url).pathname}
                    </code>
                  </button>
                </td>
                <td>{e.rpc ?? ''}</td>
                <td>{e.authorization ? 'yes' : 'no'}</td>
                <td>{e.error ? <span className="error-text">{e.error}</span> : (e.status ?? '…')}</td>
              </tr>
              {open === e.id ? (
                <tr id={`exchange-${e.id}`} className="exchange">
                  <td colSpan={5}>
                    <Exchange entry={e} />
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Exchange({ entry: e }: { entry: TrafficEntry }) {
  return (
    <div className="exchange-body" aria-label={`Exchange ${e.id}`} role="region">
      <p>
        <code className="wrap">
          {e.method} {e.url}
        </code>{' '}
        → {e.error ? <span className="error-text">{e.error}</span> : (e.status ?? 'pending')}
        {e.contentType ? <span className="muted small"> ({e.contentType})</span> : null}
      </p>
      <h4 className="subhead">Request headers</h4>
      <pre className="json" data-testid="request-headers">
        {e.requestHeaders.map(([k, v]) => `${k}: ${v}`).join('\n')}
      </pre>
      {e.requestBody !== undefined ? (
        <>
          <h4 className="subhead">Request body</h4>
          <pre className="json" data-testid="request-body">
            {pretty(e.requestBody)}
          </pre>
        </>
      ) : null}
      {e.events ? (
        <>
          <h4 className="subhead">Response: server-sent events ({e.events.length})</h4>
          <ol className="sse-events" data-testid="response-events">
            {e.events.map((ev, i) => (
              <li key={i}>
                <pre className="json">{ev}</pre>
              </li>
            ))}
          </ol>
        </>
      ) : e.responseBody !== undefined ? (
        <>
          <h4 className="subhead">Response body</h4>
          <pre className="json" data-testid="response-body">
            {pretty(e.responseBody)}
          </pre>
        </>
      ) : (
        <p className="muted small">No response body.</p>
      )}
    </div>
  );
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
