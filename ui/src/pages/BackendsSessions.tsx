/** The open MCP sessions, a page at a time (newest activity first), each with a Close button. */
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.js';
import { Card, Empty, ErrorBox, Loading } from '../components/common.js';
import { useLoad } from '../hooks.js';

export const SESSIONS_PER_PAGE = 20;

export function SessionsCard() {
  const [offset, setOffset] = useState(0);
  const load = useCallback(() => api.sessionPage(offset, SESSIONS_PER_PAGE), [offset]);
  const page = useLoad(load, 3000);
  const { reload } = page;
  useEffect(() => reload(), [offset, reload]);
  const [closing, setClosing] = useState<string>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const data = page.data;
  // A page past the end (sessions closed meanwhile): go back to the last one.
  if (data && data.offset > 0 && data.offset >= data.total) {
    const last = Math.max(0, Math.floor((data.total - 1) / SESSIONS_PER_PAGE) * SESSIONS_PER_PAGE);
    if (last !== offset) setOffset(last);
  }

  async function close(id: string) {
    setClosing(id);
    try {
      await api.closeSession(id);
      setMessage({ ok: true, text: `Session ${id.slice(0, 8)}… closed.` });
    } catch (e) {
      setMessage({ ok: false, text: e instanceof Error ? e.message : String(e) });
    } finally {
      setClosing(undefined);
      page.reload();
    }
  }

  return (
    <Card title="MCP sessions" id="sessions">
      {page.error ? <ErrorBox message={page.error} /> : null}
      {message ? (
        message.ok ? (
          <p className="success" role="status">
            {message.text}
          </p>
        ) : (
          <ErrorBox message={message.text} />
        )
      ) : null}
      {!data ? (
        <Loading what="sessions" />
      ) : data.total === 0 ? (
        <Empty>No open sessions.</Empty>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Backend</th>
                <th scope="col">Transport</th>
                <th scope="col">Subject</th>
                <th scope="col">Last active</th>
                <th scope="col">Targets</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.sessions.map((s) => (
                <tr key={s.id} data-session={s.id}>
                  <td>
                    <code title={s.id}>{s.id.slice(0, 8)}…</code>
                  </td>
                  <td>
                    <code>{s.backend}</code>
                  </td>
                  <td>
                    {s.transport} <span className="muted small">{s.protocolVersion}</span>
                  </td>
                  <td>{s.sub ?? <span className="muted">anonymous</span>}</td>
                  <td>
                    <time dateTime={new Date(s.lastActiveAt).toISOString()}>
                      {new Date(s.lastActiveAt).toLocaleTimeString()}
                    </time>
                  </td>
                  <td>{s.targets.map((t) => `${t.name}${t.pid ? ` (pid ${t.pid})` : ''}`).join(', ')}</td>
                  <td>
                    {s.transport === 'stateless' ? null : (
                      <button
                        type="button"
                        className="secondary"
                        disabled={closing === s.id}
                        aria-label={`Close session ${s.id.slice(0, 8)}`}
                        onClick={() => void close(s.id)}
                      >
                        {closing === s.id ? 'Closing…' : 'Close'}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Session pages">
            <button
              type="button"
              className="secondary"
              disabled={data.offset === 0}
              onClick={() => setOffset(Math.max(0, data.offset - SESSIONS_PER_PAGE))}
            >
              Previous
            </button>
            <span data-testid="session-range">
              {data.offset + 1}–{data.offset + data.sessions.length} of {data.total}
            </span>
            <button
              type="button"
              className="secondary"
              disabled={data.offset + data.sessions.length >= data.total}
              onClick={() => setOffset(data.offset + SESSIONS_PER_PAGE)}
            >
              Next
            </button>
          </nav>
        </>
      )}
    </Card>
  );
}
